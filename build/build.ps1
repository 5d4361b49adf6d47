# Build on Windows: build\dist\ZhonglouLedger\ (one folder), smoke-test it (build\smoke_test.ps1)
# and, when Inno Setup 6.3+ or 7 is installed, make the installer
# build\dist\ZhonglouLedger-Setup-<version>.exe.
#
#   powershell -ExecutionPolicy Bypass -File build\build.ps1 [-Fresh] [-NoInstaller] [-NoSmokeTest]
#
# A separate venv under build\work\venv holds only the pinned runtime requirements and
# PyInstaller (no test tools in the bundle); it is reused while the pins are unchanged and
# recreated with -Fresh. It needs a 64-bit Python 3.11 or later (python.org's "Windows
# installer (64-bit)"); $env:PYTHON chooses the interpreter.
#
# Saved as UTF-8 with BOM (Windows PowerShell 5.1 reads a script without BOM in the ANSI code
# page, which would garble the Chinese messages) and CRLF line ends (.gitattributes).
# Runs under Windows PowerShell 5.1 and PowerShell 7.
param([switch]$Fresh, [switch]$NoInstaller, [switch]$NoSmokeTest)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Work = Join-Path $Root "build\work"
$Venv = Join-Path $Work "venv"
$Dist = Join-Path $Root "build\dist"
$Pins = @("pyinstaller==6.22.3", "pyinstaller-hooks-contrib==2026.9")
# The same test run.bat and test.bat make (build\find_python.bat): PySide6 has no 32-bit wheels.
$PyCheck = "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 and sys.version_info >= (3, 11) else 1)"

# Native programs (pip, PyInstaller, ISCC) write warnings to stderr. Windows PowerShell 5.1
# turns each such line into an error record when output is redirected (build.ps1 > log.txt
# 2>&1, a CI runner), and under ErrorActionPreference=Stop the first one ends the build
# although the program succeeds. So around every native call: Continue, stderr shown as
# text, and only the exit code ($LASTEXITCODE) decides.
function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    $saved = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    try {
        & $Exe @Arguments 2>&1 | ForEach-Object { Write-Host "$_" }
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($code -ne 0) { throw "$Exe 运行失败（退出代码 $code）：$($Arguments -join ' ')" }
}

# The trimmed stdout of a native program; stderr is shown, not captured.
function Get-NativeOutput([string]$Exe, [string[]]$Arguments) {
    $saved = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    try {
        $lines = @(& $Exe @Arguments 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { Write-Host "$_"; return }
            "$_"
        })
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($code -ne 0) { throw "$Exe 运行失败（退出代码 $code）：$($Arguments -join ' ')" }
    return ($lines -join "`n").Trim()
}

# Is this a 64-bit Python 3.11+? $Command is the program and its leading arguments (py -3.11-64).
function Test-Python([string[]]$Command) {
    if (-not (Get-Command $Command[0] -ErrorAction SilentlyContinue)) { return $false }
    $saved = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    try {
        $rest = @($Command | Select-Object -Skip 1)
        & $Command[0] @rest -c $PyCheck *> $null
        return ($LASTEXITCODE -eq 0)
    } finally {
        $ErrorActionPreference = $saved
    }
}

function Find-Python {
    if ($env:PYTHON) {
        if (Test-Python @($env:PYTHON)) { return ,@($env:PYTHON) }
        throw "环境变量 PYTHON 指向的 $($env:PYTHON) 不是 64 位的 Python 3.11 或更高版本。"
    }
    $candidates = @(@("py", "-3.11-64"), @("py", "-3.12-64"), @("py", "-3.13-64"), @("py", "-3-64"), @("python"))
    foreach ($candidate in $candidates) {
        if (Test-Python $candidate) { return ,$candidate }
    }
    Write-Host ""
    Write-Host "没有找到 64 位的 Python 3.11 或更高版本（已尝试 py -3.11-64、py -3.12-64、py -3.13-64、py -3-64 和 python）。"
    Write-Host "PySide6 只有 64 位版本，32 位 Python 或 3.10 及更早的版本都不能用。"
    Write-Host "请从 https://www.python.org/downloads/windows/ 安装“Windows installer (64-bit)”，"
    Write-Host "或用 `$env:PYTHON 指定 python.exe 的完整路径，然后重新运行。"
    exit 1
}

# ISCC.exe of Inno Setup 6.3+ or 7, machine-wide or per user; $null when there is none.
function Find-Iscc {
    $roots = @($env:ProgramFiles, ${env:ProgramFiles(x86)}, (Join-Path $env:LOCALAPPDATA "Programs")) |
        Where-Object { $_ } | Select-Object -Unique
    $found = @()
    foreach ($name in @("Inno Setup 7", "Inno Setup 6")) {
        foreach ($root in $roots) { $found += Join-Path $root "$name\ISCC.exe" }
    }
    $cmd = Get-Command iscc -ErrorAction SilentlyContinue
    if ($cmd) { $found += $cmd.Source }
    foreach ($path in ($found | Where-Object { Test-Path $_ })) {
        $version = $null
        try { $version = [version](Get-Item $path).VersionInfo.ProductVersion.Trim() } catch { }
        if ($version -and $version -lt [version]"6.3") {
            Write-Host "跳过 $path：版本 $version 太旧，需要 Inno Setup 6.3 或更高版本。"
            continue
        }
        return $path
    }
    return $null
}

$savedConsole = [Console]::OutputEncoding
# The CLI writes UTF-8 (main.py); so do the build's Pythons when piped.
# Without a console (a scheduled task) setting it throws; then there is nothing to decode.
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch { }
$env:PYTHONIOENCODING = "utf-8"
try {
    $started = Get-Date
    New-Item -ItemType Directory -Force -Path $Work | Out-Null
    $VenvPy = Join-Path $Venv "Scripts\python.exe"
    if ((Test-Path $VenvPy) -and -not $Fresh -and -not (Test-Python @($VenvPy))) {
        Write-Host "build\work\venv 不是由 64 位 Python 3.11+ 创建的，重新创建。"
        $Fresh = $true
    }
    if ($Fresh -and (Test-Path $Venv)) { Remove-Item -Recurse -Force $Venv }
    if (-not (Test-Path $VenvPy)) {
        $python = Find-Python
        $rest = @($python | Select-Object -Skip 1)
        Invoke-Checked $python[0] ($rest + @("-m", "venv", $Venv))
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
        if (-not (Test-Path (Join-Path $out $exe))) { throw "$out 中缺少 $exe" }
    }
    Write-Host (Get-NativeOutput (Join-Path $out "ZhonglouLedgerCLI.exe") @("--version"))
    Write-Host "程序文件夹：$out"

    if (-not $NoSmokeTest) {
        & (Join-Path $PSScriptRoot "smoke_test.ps1") -NoBuild
        if ($LASTEXITCODE -ne 0) { throw "冒烟测试失败（见上面的 FAIL 行），没有制作安装程序。" }
    }

    if (-not $NoInstaller) {
        $iscc = Find-Iscc
        if ($iscc) {
            $version = Get-NativeOutput $VenvPy @("-c", "from models import __version__; print(__version__)")
            Invoke-Checked $iscc @("/Q", "/DAppVersion=$version", "/DSourceDir=$out", "/O$Dist",
                (Join-Path $Root "build\installer.iss"))
            Write-Host "安装程序：$(Join-Path $Dist "ZhonglouLedger-Setup-$version.exe")"
        } else {
            Write-Host "没有找到 Inno Setup 6.3 或更高版本（也找过 Inno Setup 7），跳过安装程序；程序文件夹 $out 可以直接使用。"
        }
    }
    Write-Host ("完成，用时 {0:N0} 秒" -f ((Get-Date) - $started).TotalSeconds)
} finally {
    try { [Console]::OutputEncoding = $savedConsole } catch { }
}
exit 0
