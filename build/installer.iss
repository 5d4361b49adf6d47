; Inno Setup 6 script: the Windows installer for 钟楼区垃圾分类工作台账.
; build\build.ps1 compiles it after the PyInstaller build:
;   ISCC /DAppVersion=0.1.0 /DSourceDir=<checkout>\build\dist\ZhonglouLedger /O<out> build\installer.iss
; Saved as UTF-8 with BOM so that ISCC reads the Chinese names correctly.
;
; User data lives in %LOCALAPPDATA%\ZhonglouWasteLedger (models/paths.py default_data_dir),
; outside the program folder: reinstalling, upgrading and uninstalling never touch it, and
; nothing below deletes it on purpose.

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
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
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
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
Name: "zh"; MessagesFile: "compiler:Languages\Unofficial\ChineseSimplified.isl"
#else
Name: "en"; MessagesFile: "compiler:Default.isl"
#endif

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
