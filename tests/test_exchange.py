"""The signed exchange: keys, signed reports at the district, 核验码 on paper, 退回修改 and diff.

Every report here is a real export by a unit installation; the attacks are what a person
with Excel and this program's source can do: edit a value and re-hash it with the
program's own digest, set up a second installation under the same unit, relabel a file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from openpyxl import load_workbook

from main import main
from models.district.consolidation import CHECKSUM_FAILED, DUPLICATE, IMPORTED, OLDER, REPLACED, import_report_file
from models.district.returns import return_for_correction
from models.district.versions import find_by_code, version_diff
from models.district.views import month_completeness
from models.exchange.enrolment import DISTRICT_OWNER, KEY_MISMATCH, known_key, list_known_keys, reset_enrolment
from models.store.keys import SignatureError, installation_signer, verify_signature
from models.exchange.notices import import_notice
from models.exchange.packages import open_package, sign_package, verify_package
from models.reporting.digest import META_SHEET, report_digest, signed_statement, verification_code, read_report_meta
from models.reporting.export import export_monthly
from models.reporting.submissions import period_state, submit, unlock
from models.safety.archive import export_archive, import_archive
from models.safety.backup import backup_now
from models.store.audit import audit_rows

from models.store.workspace import Workspace, open_workspace
from test_consolidation import _communities, _glass_site

MONTH = "2023-06"


@pytest.fixture
def district(make_ws) -> Workspace:
    return make_ws("区垃分办")


def _export(ws: Workspace, out: Path) -> tuple[Path, Path]:
    result = export_monthly(ws, MONTH, out)
    return result.xlsx, result.pdf


def _edit_and_rehash(src: Path, dst: Path, *, unit: str | None = None, resign: Workspace | None = None) -> Path:
    """Change a 完成值 (and optionally the unit), then recompute data_sha256 as the program does."""
    wb = load_workbook(src)
    for row in wb["指标数据"].iter_rows(min_row=2):
        if row[3].value == "T16_GLASS_SITES" or (unit is None and row[6].value is not None):
            row[6].value = (row[6].value or 0) + 5
        if unit is not None:
            row[0].value = unit
    meta_sheet = wb[META_SHEET]
    rows = {r[0].value: r for r in meta_sheet.iter_rows(min_row=2)}
    rows["data_sha256"][1].value = report_digest(wb)
    if unit is not None:
        rows["unit"][1].value = unit
    if resign is not None:  # the file's own installation signs the relabelled statement
        signer = installation_signer(resign.db)
        meta = read_report_meta(wb)
        rows["signature"][1].value = signer.sign(signed_statement(meta))
    wb.save(dst)
    return dst


def test_signature_round_trip_and_fingerprint(ws):
    signer = installation_signer(ws.db)
    assert installation_signer(ws.db).public_key == signer.public_key  # made once, then kept
    sig = signer.sign(b"data")
    verify_signature(signer.public_key, sig, b"data")
    with pytest.raises(SignatureError, match="签名无效"):
        verify_signature(signer.public_key, sig, b"datA")
    with pytest.raises(SignatureError, match="没有签名"):
        verify_signature(signer.public_key, "", b"data")
    assert re.fullmatch(r"([0-9A-F]{4} ){4}[0-9A-F]{4}", signer.fingerprint)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", verification_code(sig))


def test_key_travels_with_archive_and_backup_not_elsewhere(ws, tmp_path):
    fingerprint = installation_signer(ws.db).fingerprint
    ws.close()
    archive = tmp_path / "move.zip"
    export_archive(ws.data_dir, archive)
    (tmp_path / "new-pc").mkdir()
    import_archive(archive, tmp_path / "new-pc")
    moved = open_workspace(tmp_path / "new-pc")
    try:
        assert installation_signer(moved.db).fingerprint == fingerprint
    finally:
        moved.close()
    backup = backup_now(ws.data_dir)
    assert backup.info.path.is_dir()
    # the key is inside ledger.db, never in a loose file and never in the archive's settings.json
    private = next(open_workspace(tmp_path / "new-pc").db.query("SELECT private_key FROM installation_key"))["private_key"]
    import zipfile
    with zipfile.ZipFile(archive) as zf:
        assert private not in zf.read("settings.json").decode("utf-8")
    assert not any(private in p.read_text(errors="ignore") for p in ws.data_dir.rglob("*.json"))


def test_report_carries_key_and_signature_and_the_district_enrols_it(ws, district, tmp_path):
    _glass_site(ws)
    xlsx, _ = _export(ws, tmp_path / "mail")
    meta = read_report_meta(load_workbook(xlsx))
    verify_signature(meta["public_key"], meta["signature"], signed_statement(meta))
    assert meta["public_key"] == installation_signer(ws.db).public_key
    outcome = import_report_file(district, xlsx)
    assert outcome.state == IMPORTED and outcome.counted
    enrolled = known_key(district.db, "南大街街道")
    assert enrolled is not None and enrolled.fingerprint == installation_signer(ws.db).fingerprint
    assert [k.owner for k in list_known_keys(district.db)] == ["南大街街道"]
    assert audit_rows(district.db, table="known_keys", action="enrol")[0]["row_id"] == "南大街街道"


def test_an_edit_rehashed_with_the_programs_own_digest_is_refused(ws, district, tmp_path):
    _glass_site(ws)
    xlsx, _ = _export(ws, tmp_path / "mail")
    forged = _edit_and_rehash(xlsx, tmp_path / "forged.xlsx")
    assert read_report_meta(load_workbook(forged))["data_sha256"] == report_digest(load_workbook(forged))
    outcome = import_report_file(district, forged)
    assert outcome.state == CHECKSUM_FAILED and not outcome.counted
    assert outcome.label == "校验失败" and "签名无效" in outcome.reason
    assert known_key(district.db, "南大街街道") is None  # a failed file enrols nothing
    assert import_report_file(district, xlsx).state == IMPORTED  # the genuine one still goes in


def test_a_second_installation_of_the_same_unit_is_refused(ws, make_ws, district, tmp_path):
    _glass_site(ws)
    genuine, _ = _export(ws, tmp_path / "a")
    impostor = make_ws("南大街街道")
    _glass_site(impostor)
    _glass_site(impostor)
    fake, _ = _export(impostor, tmp_path / "b")
    assert import_report_file(district, genuine).state == IMPORTED
    outcome = import_report_file(district, fake)
    assert outcome.state == CHECKSUM_FAILED and outcome.reason.startswith(KEY_MISMATCH)
    state = next(s for s in month_completeness(district, MONTH) if s.unit.name == "南大街街道")
    assert state.current_version == 1 and state.failed == 1
    # Re-enrolment is explicit, with a reason in the audit log; then the new PC's file counts.
    reset_enrolment(district.db, owner="南大街街道", reason="更换电脑，已电话核对指纹", actor="王五")
    assert audit_rows(district.db, table="known_keys", action="enrol_reset")[0]["reason"] == "更换电脑，已电话核对指纹"
    fake2, _ = _export(impostor, tmp_path / "c")
    assert import_report_file(district, fake2).counted


def test_a_relabelled_unit_is_refused(ws, make_ws, district, tmp_path):
    _glass_site(ws)
    xlsx, _ = _export(ws, tmp_path / "mail")
    other = make_ws("荷花池街道")
    own, _ = _export(other, tmp_path / "he")
    assert import_report_file(district, xlsx).counted and import_report_file(district, own).counted
    # relabelled by anyone: the signature no longer covers the statement
    relabelled = _edit_and_rehash(xlsx, tmp_path / "relabel.xlsx", unit="新闸街道")
    outcome = import_report_file(district, relabelled)
    assert outcome.state == CHECKSUM_FAILED and "签名无效" in outcome.reason
    # relabelled and re-signed by 南大街街道's own installation: its key speaks for 南大街街道 only
    resigned = _edit_and_rehash(xlsx, tmp_path / "resign.xlsx", unit="荷花池街道", resign=ws)
    outcome = import_report_file(district, resigned)
    assert outcome.state == CHECKSUM_FAILED and outcome.reason.startswith(KEY_MISMATCH)
    resigned_new = _edit_and_rehash(xlsx, tmp_path / "resign2.xlsx", unit="新闸街道", resign=ws)
    outcome = import_report_file(district, resigned_new)
    assert outcome.state == CHECKSUM_FAILED and "南大街街道" in outcome.reason


def test_an_old_version_replayed_is_not_counted(ws, district, tmp_path):
    _glass_site(ws)
    v1, _ = _export(ws, tmp_path / "v1")
    kept = shutil.copy(v1, tmp_path / "v1-copy.xlsx")
    submit(ws, "monthly", MONTH)
    unlock(ws, "monthly", MONTH, reason="补录")
    _glass_site(ws)
    v2, _ = _export(ws, tmp_path / "v2")
    assert import_report_file(district, v1).state == IMPORTED
    assert import_report_file(district, v2).state == REPLACED
    assert import_report_file(district, kept).state == DUPLICATE
    resaved = tmp_path / "v1-resaved.xlsx"
    load_workbook(v1).save(resaved)  # same signed data, other bytes
    assert import_report_file(district, resaved).state in (DUPLICATE, OLDER)
    state = next(s for s in month_completeness(district, MONTH) if s.unit.name == "南大街街道")
    assert state.current_version == 2


def test_packages_round_trip_and_refuse_tampering(ws, make_ws, district):
    blob = sign_package(district.db, b"tasklist-2024", kind="tasklist")
    assert open_package(blob, kind="tasklist").payload == b"tasklist-2024"
    first = verify_package(ws.db, blob, kind="tasklist")
    assert first.first_use and known_key(ws.db, DISTRICT_OWNER).fingerprint == first.fingerprint
    assert not verify_package(ws.db, blob, kind="tasklist").first_use
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(SignatureError, match="改动"):
        open_package(flipped, kind="tasklist")
    with pytest.raises(SignatureError, match="不是退回通知"):
        open_package(blob, kind="notice")
    header_forged = blob.replace(b'"size":13', b'"size":14')
    with pytest.raises(SignatureError):
        open_package(header_forged, kind="tasklist")
    foreign = sign_package(make_ws("区垃分办").db, b"tasklist-2024", kind="tasklist")
    with pytest.raises(SignatureError, match=KEY_MISMATCH):
        verify_package(ws.db, foreign, kind="tasklist")


def test_tampered_foreign_and_misaddressed_notices_are_refused(ws, make_ws, district, tmp_path):
    _glass_site(ws)
    xlsx, _ = _export(ws, tmp_path / "mail")
    submit(ws, "monthly", MONTH)
    import_report_file(district, xlsx)
    sent = return_for_correction(district, unit="南大街街道", month=MONTH, reason="面积有误", out_dir=tmp_path / "n")
    data = sent.path.read_bytes()
    tampered = tmp_path / "tampered.zlnotice"
    tampered.write_bytes(data.replace("面积有误".encode(), "面积有错".encode()))
    with pytest.raises(SignatureError, match="退回通知已拒收"):
        import_notice(ws, tampered)
    other_unit = make_ws("荷花池街道")
    with pytest.raises(Exception, match="发给“南大街街道”"):
        import_notice(other_unit, sent.path)
    assert known_key(other_unit.db, DISTRICT_OWNER) is None  # the refused notice taught it nothing
    assert period_state(ws.db, "monthly", MONTH).state == "submitted"
    result = import_notice(ws, sent.path)
    assert result.first_use and period_state(ws.db, "monthly", MONTH).state == "unlocked"
    unlocks = audit_rows(ws.db, table="period_states", action="unlock")
    assert unlocks[-1]["reason"] == "区垃分办退回修改：面积有误"
    # a notice from another "district" installation is foreign now that the real key is known
    impostor = make_ws("区垃分办")
    import_report_file(impostor, xlsx)
    forged = return_for_correction(impostor, unit="南大街街道", month=MONTH, reason="伪造", out_dir=tmp_path / "f")
    with pytest.raises(SignatureError, match=KEY_MISMATCH):
        import_notice(ws, forged.path)
    assert import_notice(ws, sent.path).already


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"),
                    reason="zbarimg (zbar-tools) or pdftoppm (poppler-utils) not installed")
def test_qr_code_decoded_from_the_rendered_first_page(ws, district, tmp_path):
    _glass_site(ws)
    xlsx, pdf = _export(ws, tmp_path / "mail")
    text = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    code = re.search(r"核验码：([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text[0]).group(1)
    assert all(f"核验码：{code}" in page for page in text)  # every footer
    assert code == verification_code(read_report_meta(load_workbook(xlsx))["signature"])
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == code
    import_report_file(district, xlsx)
    [match] = find_by_code(district.db, code.lower().replace("-", " "))
    assert (match.unit, match.period, match.version) == ("南大街街道", MONTH, 1)


def _pdf_code(pdf: Path) -> str:
    return re.search(r"核验码：(\S+)", pypdf.PdfReader(pdf).pages[0].extract_text()).group(1)


def test_whole_flow_through_the_cli(tmp_path, capsys):
    unit, office = tmp_path / "unit", tmp_path / "district"
    for folder, name in ((unit, "南大街街道"), (office, "区垃分办")):
        assert main(["--data-dir", str(folder), "init", "--unit", name, "--operator", "张三", "--phone", "0519-88000000",
                     "--reviewer", "李四", "--year", "2023"]) == 0
    assert main(["--data-dir", str(unit), "entry", "add", "--task", "16", "--date", "2023-06-10", "--type", "中转场建设",
                 "--title", "建成废玻璃中转场", "--measure", "site_name=西林废玻璃中转场", "--measure", "site_area=200"]) == 0
    assert main(["--data-dir", str(unit), "submit", "--month", MONTH, "--out", str(tmp_path / "v1")]) == 0
    [v1] = (tmp_path / "v1").glob("*.xlsx")
    capsys.readouterr()
    assert main(["--data-dir", str(office), "district", "import", str(v1)]) == 0
    printed = capsys.readouterr().out
    assert "第1版 已导入" in printed and "首次收到该单位的签名，已登记密钥" in printed

    code = _pdf_code(v1.with_suffix(".pdf"))
    assert main(["--data-dir", str(office), "district", "verify", code]) == 0
    printed = capsys.readouterr().out
    assert "南大街街道 2023-06 第1版" in printed and "收到于" in printed
    assert main(["--data-dir", str(office), "district", "verify", "0000-0000-0000"]) == 1
    assert "没有与之相符" in capsys.readouterr().out

    assert main(["--data-dir", str(office), "district", "return", "--unit", "南大街街道", "--month", MONTH,
                 "--reason", "中转场面积与验收单不符", "--out", str(tmp_path / "notices")]) == 0
    [notice] = (tmp_path / "notices").glob("*.zlnotice")
    capsys.readouterr()
    assert main(["--data-dir", str(unit), "notice", "import", str(notice)]) == 0
    printed = capsys.readouterr().out
    assert "中转场面积与验收单不符" in printed and "指纹" in printed

    assert main(["--data-dir", str(unit), "entry", "add", "--task", "16", "--date", "2023-06-20", "--type", "中转场建设",
                 "--title", "第二个中转场", "--measure", "site_name=北港废玻璃中转场", "--measure", "site_area=150"]) == 0
    assert main(["--data-dir", str(unit), "submit", "--month", MONTH, "--out", str(tmp_path / "v2")]) == 0
    [v2] = (tmp_path / "v2").glob("*.xlsx")
    assert read_report_meta(load_workbook(v2))["version"] == 2
    capsys.readouterr()
    assert main(["--data-dir", str(office), "district", "import", str(v2)]) == 0
    assert "第2版 已导入（替换第1版）" in capsys.readouterr().out
    assert main(["--data-dir", str(office), "district", "diff", "--unit", "南大街街道", "--month", MONTH]) == 0
    printed = capsys.readouterr().out
    assert "第1版 → 第2版" in printed
    assert "退回原因：中转场面积与验收单不符" in printed
    assert re.search(r"修改 任务16 .*（完成值：1 → 2）", printed)
    assert "新增 2023-06-20 任务16 中转场建设：第二个中转场" in printed
    # the old paper still names its own version
    assert main(["--data-dir", str(office), "district", "verify", code]) == 0
    assert "第1版（已被新版本替换）" in capsys.readouterr().out


def test_enroll_reset_cli_needs_a_reason_and_is_audited(tmp_path, make_ws, capsys):
    office = make_ws("区垃分办")
    unit_ws = make_ws("南大街街道")
    xlsx, _ = _export(unit_ws, tmp_path / "mail")
    import_report_file(office, xlsx)
    folder = office.data_dir
    office.close()
    assert main(["--data-dir", str(folder), "district", "enroll", "--unit", "南大街街道", "--reset",
                 "--reason", "新电脑"]) == 0
    assert "已注销" in capsys.readouterr().out
    reopened = open_workspace(folder)
    try:
        assert known_key(reopened.db, "南大街街道") is None
        assert audit_rows(reopened.db, table="known_keys", action="enrol_reset")[0]["reason"] == "新电脑"
    finally:
        reopened.close()


def test_diff_between_versions_in_the_model(ws, district, tmp_path):
    _communities(ws, 1)
    v1, _ = _export(ws, tmp_path / "v1")
    import_report_file(district, v1)
    with pytest.raises(Exception, match="没有可比较"):
        version_diff(district.db, "南大街街道", MONTH)
    return_for_correction(district, unit="南大街街道", month=MONTH, reason="补测评", out_dir=tmp_path / "n")
    submit(ws, "monthly", MONTH)
    unlock(ws, "monthly", MONTH, reason="补录")
    _communities(ws, 1, start=1)
    v2, _ = _export(ws, tmp_path / "v2")
    import_report_file(district, v2)
    diff = version_diff(district.db, "南大街街道", MONTH)
    assert (diff.old_version, diff.new_version, diff.reasons) == (1, 2, ["补测评"])
    changed = {r.what: r for r in diff.indicators}
    assert any(f.old == 1 and f.new == 2 for r in changed.values() for f in r.fields if f.label == "完成值")
