# Build on Windows: build\dist\ZhonglouLedger\ (one folder) and, when Inno Setup 6 is
# installed, the installer build\dist\ZhonglouLedger-Setup-<version>.exe.
#
#   powershell -ExecutionPolicy Bypass -File build\build.ps1 [-Fresh] [-NoInstaller]
#
# A separate venv under build\work\venv holds only the pinned runtime requirements and
# PyInstaller (no test tools in the bundle); it is reused while the pins are unchanged and
# recreated with -Fresh. Python 3.11+ (64-bit) from python.org; set $env:PYTHON to choose
# another interpreter. Messages are ASCII on purpose: Windows PowerShell 5.1 reads a
# script without BOM in the ANSI code page.
param([switch]$Fresh, [switch]$NoInstaller)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Work = Join-Path $Root "build\work"
$Venv = Join-Path $Work "venv"
$Dist = Join-Path $Root "build\dist"
$Pins = @("pyinstaller==6.22.3", "pyinstaller-hooks-contrib==2026.9")

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe failed with exit code $LASTEXITCODE" }
}

$started = Get-Date
if ($Fresh -and (Test-Path $Venv)) { Remove-Item -Recurse -Force $Venv }
New-Item -ItemType Directory -Force -Path $Work | Out-Null
$VenvPy = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $VenvPy)) {
    if ($env:PYTHON) { Invoke-Checked $env:PYTHON @("-m", "venv", $Venv) }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Checked "py" @("-3", "-m", "venv", $Venv) }
    else { Invoke-Checked "python" @("-m", "venv", $Venv) }
}

$stamp = Join-Path $Venv ".installed"
$wanted = (Get-FileHash (Join-Path $Root "requirements.txt") -Algorithm SHA256).Hash + ($Pins -join " ")
if (-not (Test-Path $stamp) -or (Get-Content $stamp -Raw).Trim() -ne $wanted) {
    Invoke-Checked $VenvPy (@("-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements.txt") + $Pins)
    Set-Content -Path $stamp -Value $wanted
}

$out = Join-Path $Dist "ZhonglouLedger"
if (Test-Path $out) { Remove-Item -Recurse -Force $out }
Invoke-Checked $VenvPy @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", $Dist, "--workpath", (Join-Path $Work "pyinstaller"), "pyinstaller.spec")
foreach ($exe in @("ZhonglouLedger.exe", "ZhonglouLedgerCLI.exe")) {
    if (-not (Test-Path (Join-Path $out $exe))) { throw "missing $exe in $out" }
}
Invoke-Checked (Join-Path $out "ZhonglouLedgerCLI.exe") @("--version")
Write-Host "Bundle: $out"

if (-not $NoInstaller) {
    $iscc = @(
        (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
    ) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $iscc) {
        $cmd = Get-Command iscc -ErrorAction SilentlyContinue
        if ($cmd) { $iscc = $cmd.Source }
    }
    if ($iscc) {
        $version = (& $VenvPy -c "from models import __version__; print(__version__)").Trim()
        Invoke-Checked $iscc @("/Q", "/DAppVersion=$version", "/DSourceDir=$out", "/O$Dist",
            (Join-Path $Root "build\installer.iss"))
        Write-Host "Installer: $(Join-Path $Dist "ZhonglouLedger-Setup-$version.exe")"
    } else {
        Write-Host "Inno Setup 6 not found: skipped the installer (the folder $out works as is)."
    }
}
Write-Host ("Done in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
