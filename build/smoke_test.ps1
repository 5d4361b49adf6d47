# Use the built program as a user would (what build/smoke_test.sh does on Linux):
#   powershell -ExecutionPolicy Bypass -File build\smoke_test.ps1 [-NoBuild] [-Offscreen]
# init a unit, add an entry (with a photo), export the monthly report, check that both files
# exist and that the PDF embeds every font, start the GUI and quit once idle
# (--quit-after-startup, through Start-Process -Wait: a windowed .exe does not make the shell
# wait). Exits 1 on the first failure. -NoBuild tests an existing build\dist (build.ps1 calls
# it so, before making the installer); -Offscreen uses Qt's offscreen platform, for a session
# without a desktop (by default the real qwindows platform is started, as users have it).
#
# Saved as UTF-8 with BOM and CRLF line ends, like build.ps1; runs under Windows PowerShell
# 5.1 and PowerShell 7, and needs no Python: the photo is drawn with System.Drawing.
param([switch]$NoBuild, [switch]$Offscreen)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
$started = Get-Date

function Fail([string]$Message) {
    Write-Host "FAIL: $Message"
    throw "smoke test failed"
}
function Step([string]$Message) { Write-Host "--- $Message" }

# stdout of a native program (UTF-8, see main.py), checked by exit code only; native stderr
# must not become a terminating error under Windows PowerShell 5.1 (see build.ps1).
function Invoke-Cli([string[]]$Arguments) {
    $saved = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    try {
        $lines = @(& $script:Cli @Arguments 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { Write-Host "$_"; return }
            Write-Host "$_"
            "$_"
        })
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $saved
    }
    if ($code -ne 0) { Fail "ZhonglouLedgerCLI $($Arguments -join ' ') exited with $code" }
    return $lines
}

# Every font of the PDF embedded? reportlab writes its dictionaries uncompressed: each
# /Type /Font needs a /FontDescriptor (or descendant fonts) and each descriptor a /FontFile.
function Test-FontsEmbedded([string]$Pdf) {
    $text = [System.IO.File]::ReadAllText($Pdf, [System.Text.Encoding]::GetEncoding(28591))
    $objects = [regex]::Split($text, "\bendobj\b")
    $fonts = @($objects | Where-Object { $_ -match "/Type\s*/Font\b(?!Descriptor)" })
    if ($fonts.Count -eq 0) { Fail "the PDF has no fonts" }
    $bad = @()
    foreach ($font in $fonts) {
        $name = if ($font -match "/BaseFont\s*/([^\s/<>\[\]()]+)") { $Matches[1] } else { "?" }
        if ($font -notmatch "/FontDescriptor" -and $font -notmatch "/DescendantFonts") { $bad += $name }
        Write-Host ("  font {0}" -f $name)
    }
    foreach ($descriptor in ($objects | Where-Object { $_ -match "/Type\s*/FontDescriptor\b" })) {
        if ($descriptor -notmatch "/FontFile[23]?\s") {
            $bad += $(if ($descriptor -match "/FontName\s*/([^\s/<>\[\]()]+)") { $Matches[1] } else { "?" })
        }
    }
    if ($bad.Count -gt 0) { Fail "fonts not embedded: $($bad -join ', ')" }
}

$savedConsole = [Console]::OutputEncoding
# Without a console (a scheduled task) setting it throws; then there is nothing to decode.
try { [Console]::OutputEncoding = [System.Text.Encoding]::UTF8 } catch { }
$Work = Join-Path ([System.IO.Path]::GetTempPath()) ("zl-smoke-" + [guid]::NewGuid().ToString("N").Substring(0, 8))
$savedEnv = @{}
Push-Location $Root
try {
    if (-not $NoBuild) {
        & (Join-Path $PSScriptRoot "build.ps1") -NoInstaller -NoSmokeTest
        if ($LASTEXITCODE -ne 0) { Fail "build.ps1 failed" }
    }
    $Bundle = Join-Path $Root "build\dist\ZhonglouLedger"
    $script:Cli = Join-Path $Bundle "ZhonglouLedgerCLI.exe"
    $Gui = Join-Path $Bundle "ZhonglouLedger.exe"
    if (-not (Test-Path $script:Cli) -or -not (Test-Path $Gui)) { Fail "no bundle in $Bundle" }

    New-Item -ItemType Directory -Path $Work | Out-Null
    $Data = Join-Path $Work "data"
    $Out = Join-Path $Work "out"
    # Run from a neutral folder with a bare environment: the bundle must not lean on the
    # checkout or on a development venv.
    Set-Location $Work
    foreach ($name in @("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "QT_QPA_PLATFORM")) {
        $savedEnv[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $null)
    }
    if ($Offscreen) { $env:QT_QPA_PLATFORM = "offscreen" }

    Step "version"
    Invoke-Cli @("--version") | Out-Null

    Step "init"
    Invoke-Cli @("--data-dir", $Data, "init", "--unit", "南大街街道", "--operator", "张三", "--phone", "0519-88000000",
        "--reviewer", "李四", "--households", "12000", "--quota", "15") | Out-Null

    Step "entry add (with a photo)"
    Add-Type -AssemblyName System.Drawing
    $photo = Join-Path $Work "photo.jpg"
    $bitmap = New-Object System.Drawing.Bitmap 1600, 1200
    $graphics = [System.Drawing.Graphics]::FromImage($bitmap)
    $graphics.Clear([System.Drawing.Color]::FromArgb(70, 130, 90))
    $brush = New-Object System.Drawing.SolidBrush ([System.Drawing.Color]::FromArgb(240, 240, 230))
    $graphics.FillRectangle($brush, 200, 200, 1200, 800)
    $bitmap.Save($photo, [System.Drawing.Imaging.ImageFormat]::Jpeg)
    $brush.Dispose(); $graphics.Dispose(); $bitmap.Dispose()
    $lines = Invoke-Cli @("--data-dir", $Data, "entry", "add", "--task", "6", "--date", "2023-06-12", "--type", "入户宣传",
        "--title", "阳光花园入户宣传", "--content", "发放垃圾分类宣传册", "--participants", "12",
        "--measure", "households_reached=350", "--attach", $photo)
    $entryId = ("$($lines | Select-Object -Last 1)").Trim()
    Write-Host "entry id: $entryId"
    if ($entryId -notmatch "^\d+$") { Fail "entry add printed no id" }

    Step "report monthly"
    Invoke-Cli @("--data-dir", $Data, "report", "monthly", "--month", "2023-06", "--out", $Out) | Out-Null
    $xlsx = Get-ChildItem -Path $Out -Filter "*.xlsx" | Select-Object -First 1
    $pdf = Get-ChildItem -Path $Out -Filter "*.pdf" | Select-Object -First 1
    if (-not $xlsx -or $xlsx.Length -eq 0) { Fail "no xlsx written in $Out" }
    if (-not $pdf -or $pdf.Length -eq 0) { Fail "no pdf written in $Out" }
    Write-Host "xlsx: $($xlsx.Name)"
    Write-Host "pdf:  $($pdf.Name)"
    if ($xlsx.Name -notlike "*南大街街道*") { Fail "the report's file name lacks the unit" }

    Step "every font of the PDF embedded"
    Test-FontsEmbedded $pdf.FullName

    Step "GUI starts and quits once idle (--quit-after-startup)"
    # The first start keeps a compiled copy of shiboken's support code (build\rth_pyside_boot.py);
    # the second, timed, uses it.
    $env:ZL_CACHE_DIR = Join-Path $Work "cache"
    $first = Start-Process -FilePath $Gui -ArgumentList @("--data-dir", "`"$Data`"", "--quit-after-startup") `
        -Wait -PassThru
    if ($first.ExitCode -ne 0) { Fail "the GUI exited with $($first.ExitCode) (see $Data\logs\app.log)" }
    $compiled = Get-ChildItem -Path $env:ZL_CACHE_DIR -Filter "shibokensupport-*.bin" -ErrorAction SilentlyContinue
    if (-not $compiled) { Fail "the windowed program kept no compiled copy of shiboken's support code" }
    $kept = "$($compiled[0].LastWriteTimeUtc.Ticks) $($compiled[0].Length)"
    $t0 = Get-Date
    $gui = Start-Process -FilePath $Gui -ArgumentList @("--data-dir", "`"$Data`"", "--quit-after-startup") `
        -Wait -PassThru
    $seconds = ((Get-Date) - $t0).TotalSeconds
    if ($gui.ExitCode -ne 0) { Fail "the GUI exited with $($gui.ExitCode) (see $Data\logs\app.log)" }
    Write-Host ("GUI start-up (second start): {0:N2} s" -f $seconds)
    $again = Get-Item -LiteralPath $compiled[0].FullName
    if ("$($again.LastWriteTimeUtc.Ticks) $($again.Length)" -ne $kept) { Fail "the second start compiled shiboken's support code again" }

    Step "the console program opens the window too (without Qt's runtime hooks)"
    $console = Start-Process -FilePath $script:Cli -ArgumentList @("--data-dir", "`"$Data`"", "--quit-after-startup") `
        -Wait -PassThru -NoNewWindow
    if ($console.ExitCode -ne 0) { Fail "the console program's window exited with $($console.ExitCode)" }

    Write-Host ("SMOKE TEST PASSED in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
    $result = 0
} catch {
    if ("$_" -ne "smoke test failed") { Write-Host "FAIL: $_" }
    $result = 1
} finally {
    Pop-Location
    foreach ($name in $savedEnv.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnv[$name]) }
    try { [Console]::OutputEncoding = $savedConsole } catch { }
    if (Test-Path $Work) { Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue }
}
exit $result
