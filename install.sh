#!/bin/sh
# Installs comfy-env (Linux, macOS; Git Bash on Windows):
#   curl -fsSL https://github.com/comfy-env/comfy-env/releases/latest/download/install.sh | sh
#   wget -qO- https://github.com/comfy-env/comfy-env/releases/latest/download/install.sh | sh
# Options, after `sh -s --`:  --version X.Y.Z   --dir DIR   --modify-path   --no-modify-path
#                              -q/--quiet   -h/--help
# When the install folder is not on PATH, it offers (on a terminal; default yes) to add one line
# to the shell's startup file (~/.bashrc, ~/.bash_profile on macOS, ~/.zshrc, ~/.config/fish/config.fish,
# else ~/.profile);
# --modify-path adds it without asking, --no-modify-path or COMFY_ENV_NO_MODIFY_PATH=1 never.
# A download shows curl's or wget's progress bar on a terminal and nothing otherwise.
# Environment:
#   COMFY_ENV_VERSION       release to install (default: the latest)
#   COMFY_ENV_INSTALL_DIR   folder to install into (default: ~/.local/bin)
#   COMFY_ENV_DOWNLOAD_URL  release base URL (default: https://github.com/comfy-env/comfy-env/releases);
#                           files are read from <base>/latest/download/ and <base>/download/v<X>/
#   COMFY_ENV_OS, COMFY_ENV_ARCH  use this OS (linux|darwin|windows) / CPU (x64|arm64), no detection
#   COMFY_ENV_NO_MODIFY_PATH=1    never touch a shell startup file (as --no-modify-path)
# It downloads the release archive for this system (comfy-env-<version>-<target>.tar.gz, or .zip
# for Windows), checks it against the release's SHA256SUMS, unpacks it and moves the binary in.
# Exit codes (as comfy-env's): 0 installed or already current, 1 bad option or unsupported
# system, 3 download, checksum or install failed (the installed comfy-env is left as it was),
# 4 a needed tool is missing (curl or wget; sha256sum, shasum or openssl; tar, or unzip for
# the Windows build).
#
# Everything runs from the last line, so a download of this script cut short runs nothing.

comfy_env_install() {
  set -eu

  quiet=0
  # ask | yes | no: whether to add the install folder to PATH in the shell's startup file.
  modify_path=ask
  [ "${COMFY_ENV_NO_MODIFY_PATH:-}" = 1 ] && modify_path=no
  version="${COMFY_ENV_VERSION:-}"
  dir="${COMFY_ENV_INSTALL_DIR:-${HOME:-}/.local/bin}"
  base="${COMFY_ENV_DOWNLOAD_URL:-https://github.com/comfy-env/comfy-env/releases}"
  base="${base%/}"

  while [ $# -gt 0 ]; do
    case "$1" in
      --version) [ $# -ge 2 ] || die 1 "--version needs a value"; version="$2"; shift 2 ;;
      --version=*) version="${1#*=}"; shift ;;
      --dir) [ $# -ge 2 ] || die 1 "--dir needs a value"; dir="$2"; shift 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      --modify-path) modify_path=yes; shift ;;
      --no-modify-path) modify_path=no; shift ;;
      -q | --quiet) quiet=1; shift ;;
      -h | --help) usage; return 0 ;;
      *) die 1 "unknown option: $1 (see --help)" ;;
    esac
  done
  version="${version#v}"
  [ -n "$dir" ] || die 1 "no install folder: set HOME or COMFY_ENV_INSTALL_DIR"

  detect_target
  pick_tools

  mkdir -p "$dir" 2>/dev/null || die 3 "cannot create $dir"
  dir="$(cd "$dir" && pwd)"
  dest="$dir/comfy-env$ext"
  # Temp files live in the install folder: the final mv is then a rename on one file system.
  work="$dir/.comfy-env.$$"
  trap 'rm -rf "$work"' EXIT
  trap 'rm -rf "$work"; exit 130' INT TERM
  mkdir "$work" || die 3 "cannot write into $dir"
  sums="$work/SHA256SUMS"

  if [ -n "$version" ]; then sums_url="$base/download/v$version/SHA256SUMS"; else sums_url="$base/latest/download/SHA256SUMS"; fi
  fetch "$sums_url" "$sums" || die 3 "cannot download $sums_url${version:+ (is v$version a release?)}"

  # Without a pinned version the checksum file is what names the asset (and so the version).
  if [ -n "$version" ]; then
    asset="comfy-env-$version-$target.$format"
    expected="$(awk -v n="$asset" '{ f = $2; sub(/^\*/, "", f); if (f == n) { print tolower($1); exit } }' "$sums")"
  else
    line="$(awk -v t="-$target.$format" '{ f = $2; sub(/^\*/, "", f); if (index(f, "comfy-env-") == 1 && length(f) > length(t) && substr(f, length(f) - length(t) + 1) == t) { print tolower($1), f; exit } }' "$sums")"
    expected="${line%% *}"
    asset="${line#* }"
    version="${asset#comfy-env-}"
    version="${version%-"$target.$format"}"
  fi
  case "$expected" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) ;;
    *) die 3 "the release ${version:+v$version }has no comfy-env build for $target ($sums_url)" ;;
  esac

  # SHA256SUMS lists the archives, so what the installed binary says it is decides "current".
  if [ -f "$dest" ] && current="$("$dest" --version 2>/dev/null)"; then
    case "$current" in
      "comfy-env $version "*", $target)")
        say "comfy-env $version ($target) is already installed at $dest"
        path_setup
        next_steps
        return 0
        ;;
    esac
  fi

  url="$base/download/v$version/$asset"
  archive="$work/$asset"
  say "downloading $url"
  fetch "$url" "$archive" progress || die 3 "cannot download $url; $dest was not changed"
  actual="$(sha256_of "$archive")"
  [ "$actual" = "$expected" ] || die 3 "checksum mismatch for $asset (expected $expected, got $actual); $dest was not changed"
  unpack "$archive" "$work/unpacked" || die 3 "cannot unpack $asset; $dest was not changed"
  tmp="$work/unpacked/comfy-env$ext"
  [ -f "$tmp" ] || die 3 "$asset holds no comfy-env$ext; $dest was not changed"
  chmod 755 "$tmp"
  "$tmp" --version >/dev/null 2>&1 || die 3 "the downloaded comfy-env does not run on this machine ($target); $dest was not changed"
  mv -f "$tmp" "$dest" || die 3 "cannot move the new comfy-env to $dest"

  say "installed comfy-env $version ($target) to $dest"
  path_setup
  next_steps
}

usage() {
  cat <<'EOF'
Installs comfy-env into ~/.local/bin (or COMFY_ENV_INSTALL_DIR).
Usage: install.sh [--version X.Y.Z] [--dir DIR] [--modify-path|--no-modify-path] [-q|--quiet]
  --modify-path     add the folder to PATH in the shell's startup file without asking
  --no-modify-path  never change a startup file (also COMFY_ENV_NO_MODIFY_PATH=1)
Environment: COMFY_ENV_VERSION, COMFY_ENV_INSTALL_DIR, COMFY_ENV_DOWNLOAD_URL,
             COMFY_ENV_NO_MODIFY_PATH, COMFY_ENV_OS (linux|darwin|windows), COMFY_ENV_ARCH (x64|arm64)
EOF
}

say() {
  [ "$quiet" = 1 ] || printf '%s\n' "$*"
}

die() {
  code="$1"
  shift
  printf 'error: %s\n' "$*" >&2
  exit "$code"
}

detect_target() {
  if [ -n "${COMFY_ENV_OS:-}" ]; then
    os="$COMFY_ENV_OS"
  else
    case "$(uname -s)" in
      Linux) os=linux ;;
      Darwin) os=darwin ;;
      MINGW* | MSYS* | CYGWIN*) os=windows ;;
      *) die 1 "unsupported system: $(uname -s) (comfy-env runs on Linux, macOS and Windows)" ;;
    esac
    # Bun's Linux builds and conda's packages both need glibc; musl (Alpine) has neither.
    if [ "$os" = linux ] && ! getconf GNU_LIBC_VERSION >/dev/null 2>&1 && ldd --version 2>&1 | grep -qi musl; then
      die 1 "this Linux uses musl libc (Alpine?); comfy-env and its pixi environments need glibc: use a glibc distribution or container"
    fi
  fi
  if [ -n "${COMFY_ENV_ARCH:-}" ]; then
    arch="$COMFY_ENV_ARCH"
  else
    case "$(uname -m)" in
      x86_64 | amd64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) die 1 "unsupported CPU: $(uname -m) (comfy-env is built for x64 and arm64)" ;;
    esac
    # An x64 shell under Rosetta 2 on Apple Silicon: the native arm64 build is the one to use.
    if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
      arch=arm64
    fi
    # Windows on Arm runs the x64 build under emulation; there is no arm64 Windows build.
    if [ "$os" = windows ] && [ "$arch" = arm64 ]; then arch=x64; fi
  fi
  case "$os-$arch" in
    linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | windows-x64) ;;
    *) die 1 "no comfy-env build for $os-$arch" ;;
  esac
  target="$os-$arch"
  if [ "$os" = windows ]; then ext=.exe format=zip; else ext= format=tar.gz; fi
}

# first_tool NAME...: prints the first NAME found on PATH; fails when there is none.
first_tool() {
  for t in "$@"; do
    if command -v "$t" >/dev/null 2>&1; then
      printf '%s' "$t"
      return 0
    fi
  done
  return 1
}

pick_tools() {
  downloader="$(first_tool curl wget)" || die 4 "curl or wget is needed to download comfy-env"
  hasher="$(first_tool sha256sum shasum openssl)" || die 4 "sha256sum, shasum or openssl is needed to verify the download"
  if [ "$format" = zip ]; then
    # Git Bash has unzip; bsdtar (macOS, Windows' own tar.exe) reads zips too.
    unzipper="$(first_tool unzip bsdtar)" || die 4 "unzip is needed to unpack the Windows build"
  else
    first_tool tar >/dev/null || die 4 "tar is needed to unpack the download"
  fi
}

# unpack ARCHIVE DIR
unpack() {
  mkdir -p "$2" || return 1
  if [ "$format" = tar.gz ]; then
    tar -xzf "$1" -C "$2"
  elif [ "$unzipper" = unzip ]; then
    unzip -q -o "$1" -d "$2"
  else
    bsdtar -xf "$1" -C "$2"
  fi
}

# fetch URL FILE [progress]: nonzero on any HTTP error (404 included) or network failure. With
# "progress", the download tool draws its progress bar when stderr is a terminal.
fetch() {
  bar=0
  if [ "${3:-}" = progress ] && [ "$quiet" = 0 ] && [ -t 2 ]; then bar=1; fi
  if [ "$downloader" = curl ]; then
    if [ "$bar" = 1 ]; then
      curl -fL --progress-bar --retry 3 --connect-timeout 30 -o "$2" "$1"
    else
      curl -fsSL --retry 3 --connect-timeout 30 -o "$2" "$1"
    fi
  elif [ "$bar" = 1 ] && wget --help 2>&1 | grep -q -- --show-progress; then
    wget -q --show-progress -T 30 -t 3 -O "$2" "$1"
  elif [ "$bar" = 1 ]; then
    # A wget without --show-progress (busybox) draws its bar unless -q.
    wget -T 30 -t 3 -O "$2" "$1"
  else
    wget -q -T 30 -t 3 -O "$2" "$1"
  fi
}

sha256_of() {
  case "$hasher" in
    sha256sum) sha256sum "$1" | cut -d ' ' -f 1 ;;
    shasum) shasum -a 256 "$1" | cut -d ' ' -f 1 ;;
    openssl) openssl dgst -sha256 "$1" | sed 's/^.*= *//' ;;
  esac
}

# Whether there is a person to ask: stdout is a terminal and /dev/tty opens (under `curl | sh`
# stdin is the script itself, so the answer is read from /dev/tty).
can_ask() {
  [ -t 1 ] && { : </dev/tty; } 2>/dev/null
}

# Offers to put $dir on PATH: one line in the startup file of the user's shell, added once.
path_setup() {
  case ":${PATH:-}:" in
    *":$dir:"*) return 0 ;;
  esac
  # Inside the line's double quotes, \ " $ and ` are the characters sh and fish would expand.
  quoted="$(printf '%s' "$dir" | sed 's/[\\"$`]/\\&/g')"
  case "$(basename "${SHELL:-sh}")" in
    fish) rc="$HOME/.config/fish/config.fish"; line="fish_add_path \"$quoted\"" ;;
    zsh) rc="${ZDOTDIR:-$HOME}/.zshrc"; line="export PATH=\"$quoted:\$PATH\"" ;;
    # macOS terminals start login shells, which read ~/.bash_profile and not ~/.bashrc.
    bash) rc="$HOME/.bashrc"; [ "$os" = darwin ] && rc="$HOME/.bash_profile"; line="export PATH=\"$quoted:\$PATH\"" ;;
    *) rc="$HOME/.profile"; line="export PATH=\"$quoted:\$PATH\"" ;;
  esac
  shown="$rc"
  case "$rc" in
    "$HOME"/*) shown="~/${rc#"$HOME"/}" ;;
  esac
  if [ -f "$rc" ] && grep -qxF "$line" "$rc"; then
    say "$dir is on PATH in new shells ($shown adds it); open a new terminal to use comfy-env"
    return 0
  fi
  answer="$modify_path"
  if [ "$answer" = ask ]; then
    answer=no
    if [ "$quiet" = 0 ] && can_ask; then
      printf '%s is not on PATH. Add it in %s? [Y/n] ' "$dir" "$shown"
      reply=
      read -r reply </dev/tty || reply=n
      case "$reply" in
        "" | [yY]*) answer=yes ;;
      esac
    fi
  fi
  if [ "$answer" = no ]; then
    say "$dir is not on PATH; add it with: echo '$line' >> $shown   (or rerun with --modify-path)"
    return 0
  fi
  mkdir -p "$(dirname "$rc")" && printf '\n# added by the comfy-env installer\n%s\n' "$line" >>"$rc" ||
    die 3 "comfy-env is installed at $dest, but $rc could not be written: add $dir to PATH yourself"
  say "added $dir to PATH in $shown; open a new terminal (or run: $line) to use comfy-env"
}

next_steps() {
  say ""
  say "Next, for a node pack and the ComfyUI that loads it:"
  say "  comfy-env install <ComfyUI>/custom_nodes/<pack>"
  say "  comfy-env bridge install --python <ComfyUI's python>"
}

comfy_env_install "$@"
