; Inno Setup 6.3+ or 7 script: the Windows installer for 钟楼区垃圾分类工作台账.
; build\build.ps1 compiles it after the PyInstaller build and the smoke test:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=<checkout>\build\dist\ZhonglouLedger /O<out> build\installer.iss
; Saved as UTF-8 with BOM and CRLF line ends (.gitattributes) so that every ISCC reads the
; Chinese names correctly.
;
; The wizard is Chinese with any Inno Setup: Inno Setup ships no Simplified Chinese messages
; (ChineseSimplified.isl is an unofficial download), so build\zh-CN.isl, our own translation,
; is layered over Default.isl: a message it lacks shows in English instead of failing.
;
; Installs for the current user without admin rights by default (PrivilegesRequired=lowest:
; {autopf} is %LOCALAPPDATA%\Programs); the dialog offers "为所有用户安装" (Program Files)
; to those who have the rights.
; User data lives in %LOCALAPPDATA%\ZhonglouWasteLedger (models/paths.py default_data_dir) in
; either mode, outside the program folder: reinstalling, upgrading and uninstalling never
; touch it, and nothing below deletes it on purpose.

; ArchitecturesAllowed=x64compatible (x64 Windows, and Windows 11 on Arm, which runs x64
; programs) needs Inno Setup 6.3: 6.0-6.2 stop on an unknown architecture name. Say so first.
#if Ver < EncodeVer(6,3,0)
  #error Inno Setup 6.3 or later is required (需要 Inno Setup 6.3 或更高版本，或 Inno Setup 7): install it from jrsoftware.org, then run build\build.ps1 again.
#endif

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "dist\ZhonglouLedger"
#endif
#define AppName "钟楼区垃圾分类工作台账"
#define AppExe "ZhonglouLedger.exe"
#define Publisher "常州市钟楼区生活垃圾分类工作领导小组办公室"

[Setup]
; The AppId identifies the product across versions: an upgrade installs over the old one.
AppId={{7C3E2B1A-5D4F-4E8B-9A61-2F0C8D3B9E45}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#Publisher}
VersionInfoVersion={#AppVersion}
VersionInfoDescription={#AppName} 安装程序
DefaultDirName={autopf}\ZhonglouWasteLedger
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; PySide6 6.x runs on Windows 10 and later only.
MinVersion=10.0
OutputBaseFilename=ZhonglouLedger-Setup-{#AppVersion}
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running copy is closed before its files are replaced (its data is saved on every edit).
CloseApplications=yes
RestartApplications=no

[Languages]
; zh-CN.isl is found beside this script; its messages override Default.isl's.
Name: "zh"; MessagesFile: "compiler:Default.isl,zh-CN.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the bundled libraries wholesale, so no stale DLL of an older
; version is loaded. Only the program folder: user data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
