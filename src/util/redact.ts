/** `scheme://user:password@host` → `scheme://***@host`: proxy and mirror URLs may carry credentials. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@");
}
