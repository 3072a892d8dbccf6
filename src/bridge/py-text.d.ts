// Python sources imported as text (`with { type: "text" }`) to embed them into the binary.
declare module "*.py" {
  const text: string;
  export default text;
}
