<#
.SYNOPSIS
Installs comfy-env on Windows (Windows PowerShell 5.1 or PowerShell 7).

.DESCRIPTION
Downloads comfy-env-<version>-windows-x64.zip and SHA256SUMS from the release, checks the
zip's sha256, and installs the comfy-env.exe it holds into %LOCALAPPDATA%\Programs\comfy-env
(added to the user PATH). Run inside (or beside) a ComfyUI portable folder, it offers to install
into that folder instead; without an interactive console it takes that offer without asking.
The installed comfy-env.exe is only replaced by a verified download; a re-run with the current
version (what the installed comfy-env.exe --version says) downloads nothing. Folders whose
names hold [ or ] are fine: every path is taken literally.

Windows' default execution policy (Restricted; RemoteSigned on servers, which also refuses a
downloaded script) does not run .\install.ps1 as it is. Either of these works without changing
the policy:
    irm https://github.com/comfy-env/comfy-env/releases/latest/download/install.ps1 | iex
    powershell -ExecutionPolicy Bypass -File install.ps1 [-Version X.Y.Z] [-InstallDir DIR] [-Quiet]

Environment: COMFY_ENV_VERSION, COMFY_ENV_INSTALL_DIR, COMFY_ENV_DOWNLOAD_URL (release base,
default https://github.com/comfy-env/comfy-env/releases: <base>/latest/download/<file> and
<base>/download/v<X>/<file>).
Exit codes when run as a file (as comfy-env's): 1 bad input or unsupported system, 3 download,
checksum or install failed.

.PARAMETER Version
The release to install, e.g. 0.2.0 (default: COMFY_ENV_VERSION, else the latest).

.PARAMETER InstallDir
The folder to install comfy-env.exe into (default: COMFY_ENV_INSTALL_DIR, else the ComfyUI
portable folder found here, else %LOCALAPPDATA%\Programs\comfy-env).

.PARAMETER Quiet
Print errors only.

.PARAMETER Help
Print this help and exit.

.EXAMPLE
irm https://github.com/comfy-env/comfy-env/releases/latest/download/install.ps1 | iex

Installs the latest release; works under the default execution policy.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File install.ps1 -Version 0.2.0 -InstallDir 'D:\AI\[ComfyUI]'

Runs the downloaded file (the policy is bypassed for this one process only) and installs
v0.2.0 into a folder whose name has brackets.
#>
param(
    [string] $Version = $env:COMFY_ENV_VERSION,
    [string] $InstallDir = $env:COMFY_ENV_INSTALL_DIR,
    [switch] $Quiet,
    [switch] $Help
)

$script:FailCode = 3

function Say([string] $text) {
    if (-not $Quiet) { Write-Host $text }
}

function Fail([int] $code, [string] $message) {
    $script:FailCode = $code
    throw $message
}

function Test-Portable([string] $dir) {
    (Test-Path -LiteralPath (Join-Path $dir 'python_embeded\python.exe') -PathType Leaf) -and
    (Test-Path -LiteralPath (Join-Path $dir 'ComfyUI\custom_nodes') -PathType Container)
}

# The same rules as comfy-env's own discovery: the folder or an ancestor is the portable root,
# else a child folder is (ComfyUI_windows_portable first, then by name).
function Find-Portable([string] $start) {
    $dir = $start
    while ($dir) {
        if (Test-Portable $dir) { return $dir }
        $parent = [IO.Path]::GetDirectoryName($dir)
        if (-not $parent -or $parent -eq $dir) { break }
        $dir = $parent
    }
    $children = Get-ChildItem -LiteralPath $start -Directory -ErrorAction SilentlyContinue |
        Sort-Object @{ Expression = { if ($_.Name -eq 'ComfyUI_windows_portable') { 0 } else { 1 } } }, Name
    foreach ($child in $children) {
        if (Test-Portable $child.FullName) { return $child.FullName }
    }
    return $null
}

function Test-Interactive {
    if (-not [Environment]::UserInteractive) { return $false }
    if ([Console]::IsInputRedirected) { return $false }
    foreach ($arg in [Environment]::GetCommandLineArgs()) {
        if ($arg -like '-NonI*') { return $false }
    }
    return $true
}

# Through .NET's WebClient (the system proxy, streamed to disk): Invoke-WebRequest -OutFile
# reads its path as a wildcard pattern on Windows PowerShell 5.1, so [ and ] would break it.
function Get-File([string] $url, [string] $dest) {
    $client = New-Object System.Net.WebClient
    try {
        $client.Headers.Add('User-Agent', 'comfy-env-install')
        $client.DownloadFile($url, $dest)
    } catch {
        Remove-Item -LiteralPath $dest -Force -ErrorAction SilentlyContinue
        return $_.Exception.Message
    } finally {
        $client.Dispose()
    }
    return $null
}

function Get-Sha256([string] $file) {
    (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLowerInvariant()
}

# The first line `comfy-env.exe --version` prints, or $null when there is none or it does not run.
function Get-InstalledVersion([string] $exe) {
    if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { return $null }
    try { return (& $exe --version 2>$null | Select-Object -First 1) } catch { return $null }
}

# comfy-env.exe out of the release zip, through .NET: Expand-Archive reads its paths as wildcards.
function Expand-Exe([string] $zipFile, [string] $dest) {
    try {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [System.IO.Compression.ZipFile]::OpenRead($zipFile)
        try {
            $entry = $archive.GetEntry('comfy-env.exe')
            if (-not $entry) { return 'it holds no comfy-env.exe' }
            [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entry, $dest, $true)
        } finally {
            $archive.Dispose()
        }
    } catch {
        return $_.Exception.Message
    }
    return $null
}

function Add-UserPath([string] $dir) {
    # Through the registry, not [Environment]::SetEnvironmentVariable: that rewrites the value
    # as REG_SZ, and entries like %USERPROFILE%\bin would stop expanding.
    $key = [Microsoft.Win32.Registry]::CurrentUser.OpenSubKey('Environment', $true)
    try {
        $userPath = [string] $key.GetValue('Path', '', 'DoNotExpandEnvironmentNames')
        $entries = @($userPath -split ';' | Where-Object { $_ })
        if ($entries | Where-Object { $_.TrimEnd('\') -ieq $dir.TrimEnd('\') }) { return $false }
        $key.SetValue('Path', ((@($dir) + $entries) -join ';'), [Microsoft.Win32.RegistryValueKind]::ExpandString)
    } finally {
        $key.Close()
    }
    # Setting any user variable broadcasts WM_SETTINGCHANGE, so new terminals see the new PATH.
    [Environment]::SetEnvironmentVariable('COMFY_ENV_INSTALL_REFRESH', '1', 'User')
    [Environment]::SetEnvironmentVariable('COMFY_ENV_INSTALL_REFRESH', $null, 'User')
    $env:Path = "$dir;$env:Path"
    return $true
}

function Install-ComfyEnv {
    # Set here, not at the top: under `iex` the top level is the user's own session.
    $ErrorActionPreference = 'Stop'

    # Windows on Arm runs the x64 build under emulation; there is no 32-bit build.
    $cpu = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
    if ($cpu -notin @('AMD64', 'ARM64')) { Fail 1 "unsupported CPU: $cpu (comfy-env for Windows is built for x64)" }
    $target = 'windows-x64'

    # PowerShell 5.1 may not offer TLS 1.2 by default; GitHub requires it.
    if ($PSVersionTable.PSVersion.Major -lt 6) {
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    }

    $base = if ($env:COMFY_ENV_DOWNLOAD_URL) { $env:COMFY_ENV_DOWNLOAD_URL.TrimEnd('/') } else { 'https://github.com/comfy-env/comfy-env/releases' }
    $pinned = if ($Version) { $Version.TrimStart('v') } else { $null }

    $dir = $InstallDir
    $intoPortable = $false
    if (-not $dir) {
        $dir = Join-Path $env:LOCALAPPDATA 'Programs\comfy-env'
        $here = (Get-Location -PSProvider FileSystem).ProviderPath
        $portable = Find-Portable $here
        if ($portable) {
            $answer = 'y'
            if (Test-Interactive) {
                $answer = Read-Host "ComfyUI portable found at $portable. Install comfy-env.exe there instead of $dir? [Y/n]"
            } else {
                Say "ComfyUI portable found at $portable; installing there (not interactive)"
            }
            if (-not $answer -or $answer -match '^[yY]') {
                $dir = $portable
                $intoPortable = $true
            }
        }
    }
    # .NET, not New-Item: its -Path reads [ and ] as wildcards.
    [void] [IO.Directory]::CreateDirectory($dir)
    $dir = (Resolve-Path -LiteralPath $dir).ProviderPath
    $dest = Join-Path $dir 'comfy-env.exe'
    # Temp files in the install folder: the final move is then a rename on one volume.
    $sumsFile = Join-Path $dir ".comfy-env.$PID.sums"
    $zip = Join-Path $dir ".comfy-env.$PID.download.zip"
    $tmp = Join-Path $dir ".comfy-env.$PID.download.exe"

    try {
        $sumsUrl = if ($pinned) { "$base/download/v$pinned/SHA256SUMS" } else { "$base/latest/download/SHA256SUMS" }
        $problem = Get-File $sumsUrl $sumsFile
        if ($problem) { Fail 3 "cannot download ${sumsUrl}: $problem" }

        # Without a pinned version the checksum file is what names the asset (and so the version).
        $asset = $null
        $expected = $null
        foreach ($line in Get-Content -LiteralPath $sumsFile) {
            if ($line -notmatch '^([0-9a-fA-F]{64}) [ *](.+)$') { continue }
            $name = $Matches[2].Trim()
            $hash = $Matches[1].ToLowerInvariant()
            if ($pinned) {
                if ($name -eq "comfy-env-$pinned-$target.zip") { $asset = $name; $expected = $hash; break }
            } elseif ($name -match "^comfy-env-(.+)-$target\.zip$") {
                $pinned = $Matches[1]; $asset = $name; $expected = $hash; break
            }
        }
        if (-not $asset) { Fail 3 "the release has no comfy-env build for $target ($sumsUrl)" }

        if ((Get-InstalledVersion $dest) -like "comfy-env $pinned *, $target)") {
            Say "comfy-env $pinned ($target) is already installed at $dest"
        } else {
            $url = "$base/download/v$pinned/$asset"
            Say "downloading $url"
            $problem = Get-File $url $zip
            if ($problem) { Fail 3 "cannot download ${url}: $problem; $dest was not changed" }
            $actual = Get-Sha256 $zip
            if ($actual -ne $expected) { Fail 3 "checksum mismatch for $asset (expected $expected, got $actual); $dest was not changed" }
            $problem = Expand-Exe $zip $tmp
            if ($problem) { Fail 3 "cannot unpack ${asset}: $problem; $dest was not changed" }
            & $tmp --version | Out-Null
            if ($LASTEXITCODE -ne 0) { Fail 3 "the downloaded comfy-env does not run on this machine; $dest was not changed" }
            # A running comfy-env.exe cannot be replaced, but it can be renamed; it is moved
            # back if the new one cannot be moved in.
            $aside = "$dest.old"
            Remove-Item -LiteralPath $aside -Force -ErrorAction SilentlyContinue
            $hadOld = Test-Path -LiteralPath $dest
            if ($hadOld) { Move-Item -LiteralPath $dest -Destination $aside -Force }
            try {
                Move-Item -LiteralPath $tmp -Destination $dest -Force
            } catch {
                if ($hadOld) { Move-Item -LiteralPath $aside -Destination $dest -Force -ErrorAction SilentlyContinue }
                Fail 3 "cannot move the new comfy-env to ${dest}: $($_.Exception.Message)"
            }
            Remove-Item -LiteralPath $aside -Force -ErrorAction SilentlyContinue
            Say "installed comfy-env $pinned ($target) to $dest"
        }
    } finally {
        Remove-Item -LiteralPath $sumsFile, $zip, $tmp -Force -ErrorAction SilentlyContinue
    }

    if ($intoPortable) {
        Say "run it from that folder: .\comfy-env.exe install  (installs the environments of every pack in ComfyUI\custom_nodes)"
    } elseif (Add-UserPath $dir) {
        Say "added $dir to your user PATH; open a new terminal to use comfy-env"
    }
}

# -Help prints the comment block above (also what Get-Help install.ps1 shows); under `iex`
# there is no file to read it from, so the two ways to run it are printed instead.
function Show-Help {
    if ($PSCommandPath) {
        $text = Get-Content -LiteralPath $PSCommandPath -Raw
        Write-Host ($text.Substring(0, $text.IndexOf('#>')).TrimStart('<', '#').Trim())
    } else {
        Write-Host 'irm https://github.com/comfy-env/comfy-env/releases/latest/download/install.ps1 | iex'
        Write-Host 'powershell -ExecutionPolicy Bypass -File install.ps1 [-Version X.Y.Z] [-InstallDir DIR] [-Quiet]'
    }
}

try {
    if ($Help) { Show-Help } else { Install-ComfyEnv }
} catch {
    Write-Host "error: $($_.Exception.Message)" -ForegroundColor Red
    # `exit` would close the window of an `irm | iex` session; only a script file sets the code.
    if ($PSCommandPath) { exit $script:FailCode }
}
