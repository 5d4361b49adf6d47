"""A sample street office with a realistic second quarter of 2023, for newcomers.

``build_demo`` fills an empty data folder with the ledger 南大街街道 might keep from April
to June: entries for most of its tasks, the 小区 register with evaluations around the
95-point line, and photos generated on the fly (Pillow, captions in Chinese) attached as
evidence — so every page shows something and every status colour appears. April and May
are marked as submitted; June is left open for the month-end reminder.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from models.ledger.communities import add_community, update_community
from models.ledger.evaluations import record_evaluation
from models.core.errors import AppError
from models.ledger.evidence import attach_file
from models.ledger.validation import EntryDraft
from models.ledger.entries import add_entry
from models.store.settings import UnitProfile, save_profile
from models.store.workspace import Workspace

FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf")
OPERATOR = "王丽"

# (task, date, entry type, title, location, participants, measures, photos)
ENTRIES: list[tuple[int, str, str, str, str, int | None, dict[str, float], int]] = [
    (1, "2023-04-12", "联动会议", "街道、社区垃圾分类四级联动推进会", "街道办事处三楼会议室", 32, {}, 2),
    (1, "2023-05-20", "联动活动", "“党建引领·分类先行”社区联动主题活动", "青果巷历史文化街区", 85, {}, 2),
    (1, "2023-04-06", "党组织专题研究", "街道党工委专题研究4月垃圾分类工作", "街道党群服务中心", 12, {}, 1),
    (1, "2023-05-08", "党组织专题研究", "街道党工委专题研究5月垃圾分类工作", "街道党群服务中心", 11, {}, 1),
    (1, "2023-06-05", "党组织专题研究", "街道党工委专题研究6月垃圾分类工作", "街道党群服务中心", 12, {}, 1),
    (1, "2023-06-17", "党员志愿服务活动", "党员志愿者桶边督导", "化龙巷小区", 26, {}, 1),
    (2, "2023-04-25", "分类成效测评", "4月居民分类知晓率、参与率、准确率测评", "辖区各小区", 300, {"awareness_rate": 91.2, "participation_rate": 78.5, "accuracy_rate": 79.0, "respondents": 300}, 0),
    (2, "2023-05-26", "分类成效测评", "5月居民分类知晓率、参与率、准确率测评", "辖区各小区", 300, {"awareness_rate": 92.5, "participation_rate": 81.3, "accuracy_rate": 82.1, "respondents": 300}, 0),
    (2, "2023-06-27", "分类成效测评", "6月居民分类知晓率、参与率、准确率测评", "辖区各小区", 300, {"awareness_rate": 93.1, "participation_rate": 83.6, "accuracy_rate": 84.0, "respondents": 320}, 0),
    (2, "2023-05-15", "红黑榜公示", "5月垃圾分类“红黑榜”公示", "各社区宣传栏", None, {}, 1),
    (2, "2023-06-10", "宣传活动", "“垃圾分类进家庭”亲子宣传活动", "南大街社区广场", 60, {}, 2),
    (3, "2023-05-16", "民主协商会议", "小区垃圾分类民主协商议事会", "西横街社区议事厅", 18, {}, 1),
    (3, "2023-06-10", "共同缔造活动", "美好环境共同缔造：楼道清理行动", "双桂坊小区", 40, {}, 1),
    (4, "2023-04-22", "志愿服务活动", "世界地球日垃圾分类志愿服务", "南大街商业步行街", 36, {"volunteers": 36}, 2),
    (5, "2023-04-28", "主题宣传活动", "垃圾分类宣传周主题宣传活动", "南大街商业步行街", 120, {}, 2),
    (5, "2023-06-05", "主题宣传活动", "“六五环境日”垃圾分类主题宣传", "文化宫广场", 150, {}, 2),
    (5, "2023-05-10", "公益广告刊播", "户外大屏垃圾分类公益广告刊播", "南大街商圈户外大屏", None, {"psa_share": 12, "psa_total": 50}, 1),
    (5, "2023-04-15", "宣传资料更新", "按统一口径更新宣传折页", "街道城管科", None, {"materials": 5000}, 0),
    (6, "2023-04-20", "入户宣传", "4月入户宣传", "辖区各小区", 24, {"households_reached": 1100}, 1),
    (6, "2023-05-22", "入户宣传", "5月入户宣传", "辖区各小区", 24, {"households_reached": 1050}, 1),
    (6, "2023-06-21", "入户宣传", "6月入户宣传", "辖区各小区", 24, {"households_reached": 900}, 1),
    (7, "2023-05-11", "层级培训", "社区垃圾分类督导员培训班", "街道社区教育中心", 45, {"trainees": 45}, 2),
    (9, "2023-04-18", "设施配置", "窗口单位补齐“四分类”收集容器", "辖区公共机构", None, {}, 1),
    (9, "2023-06-26", "覆盖情况统计", "公共机构及窗口单位“四分类”覆盖情况统计", "辖区公共机构", None, {"coverage_rate": 100, "institutions_covered": 38}, 0),
    (11, "2023-04-25", "投放点设置", "小区“四分类”投放点规范设置", "辖区住宅小区", None, {}, 2),
    (12, "2023-05-18", "达标小区测评", "青果巷小区达标测评", "青果巷小区", 6, {}, 1),
    (12, "2023-06-12", "达标小区测评", "锦绣花园达标测评", "锦绣花园", 6, {}, 1),
    (14, "2023-06-08", "宣传督导", "投放时段桶边督导检查", "延陵西路小区", 8, {}, 1),
    (15, "2023-05-25", "收运车辆检查", "环卫收运车辆规范化检查", "南大街环卫所", None, {"vehicles_checked": 12}, 1),
    (17, "2023-04-18", "回收网点建设", "新设可回收物回收点2处", "双桂坊小区", None, {}, 1),
    (19, "2023-06-14", "限塑检查", "商超限塑检查", "南大街商圈超市", 6, {}, 1),
    (24, "2023-04-19", "执法检查", "小区乱投乱放执法检查", "化龙巷小区", 6, {}, 1),
    (24, "2023-05-17", "执法检查", "沿街商户垃圾分类执法检查", "南大街沿街商铺", 8, {}, 1),
    (24, "2023-04-28", "执法情况月度汇总", "4月垃圾分类执法情况汇总", "街道综合执法局", None, {"cases": 7}, 0),
    (24, "2023-05-31", "执法情况月度汇总", "5月垃圾分类执法情况汇总", "街道综合执法局", None, {"cases": 9}, 0),
    (24, "2023-06-28", "执法情况月度汇总", "6月垃圾分类执法情况汇总", "街道综合执法局", None, {"cases": 6}, 0),
    (24, "2023-06-29", "检查通报", "第二季度垃圾分类检查通报", "街道综合执法局", None, {}, 0),
    (27, "2023-05-19", "督查检查", "第二季度垃圾分类工作督查", "辖区各社区", 10, {}, 1),
    (31, "2023-04-03", "经费保障", "二季度垃圾分类工作经费拨付", "街道财政所", None, {"funds": 85}, 0),
    (32, "2023-04-28", "台账整理", "4月工作台账整理", "街道城管科", None, {}, 0),
    (32, "2023-05-30", "台账整理", "5月工作台账整理", "街道城管科", None, {}, 0),
]

# name, households, facilities date, evaluation (date, total or None for a full item sheet), metering date
COMMUNITIES = [
    ("青果巷小区", 860, "2023-04-10", ("2023-05-18", None), "2023-06-02"),
    ("化龙巷小区", 1240, "2023-04-12", ("2023-05-25", 95.0), "2023-06-15"),
    ("双桂坊小区", 720, "2023-04-20", ("2023-06-06", 94.5), None),
    ("锦绣花园", 1580, "2023-04-18", ("2023-06-12", None), None),
    ("椿庭小区", 930, "2023-04-22", ("2023-06-20", 98.0), None),
    ("延陵西路小区", 1100, "2023-04-24", None, None),
    ("南大街公寓", 640, "2023-04-26", None, None),
    ("西瀛里小区", 980, "2023-05-08", None, None),  # facilities finished after the deadline
]
VILLAGES = [("东村", 420, "2023-06-18"), ("杨庄村", 380, None)]
PALETTE = [(46, 125, 50), (25, 118, 210), (0, 137, 123), (121, 85, 72), (93, 64, 55), (57, 73, 171)]


def _font(size: int) -> ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def make_photo(target: Path, *, title: str, caption: str, seed: int) -> Path:
    """A small JPEG that looks like a captioned site photo (coloured scene, banner, text)."""
    rng = random.Random(seed)
    w, h = 640, 420
    base = PALETTE[seed % len(PALETTE)]
    img = Image.new("RGB", (w, h), base)
    draw = ImageDraw.Draw(img)
    for y in range(h):  # sky-to-ground gradient
        k = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(c * (0.55 + 0.6 * k)) % 256 for c in base))
    for _ in range(7):  # buildings / bins
        x = rng.randint(0, w - 80)
        bw, bh = rng.randint(40, 110), rng.randint(60, 190)
        shade = tuple(min(255, c + rng.randint(40, 110)) for c in base)
        draw.rectangle([x, 300 - bh, x + bw, 300], fill=shade, outline=(255, 255, 255))
    for n, colour in enumerate([(0, 122, 61), (200, 30, 30), (40, 90, 200), (90, 90, 90)]):
        draw.rounded_rectangle([380 + n * 58, 240, 428 + n * 58, 310], radius=6, fill=colour)
    draw.rectangle([0, 18, w, 74], fill=(198, 40, 40))
    draw.text((20, 26), title[:22], font=_font(30), fill=(255, 255, 255))
    draw.rectangle([0, h - 70, w, h], fill=(0, 0, 0))
    draw.text((16, h - 60), caption[:34], font=_font(22), fill=(255, 255, 255))
    draw.text((16, h - 30), "钟楼区生活垃圾分类工作台账 · 示例照片", font=_font(16), fill=(200, 200, 200))
    img.save(target, "JPEG", quality=78)
    return target


def _ensure_profile(ws: Workspace, unit: str) -> None:
    if ws.profile is None:
        save_profile(ws.db, UnitProfile(unit=unit, operator=OPERATOR, phone="0519-86661234", reviewer="陈建国",
                                        households=12000, standard_quota=6, year=2023))


def _mark_submitted(ws: Workspace, months: list[str]) -> None:
    """April and May were exported and sent to the district office; June is still open."""
    from models.reporting.submissions import default_reports_dir, submit  # the real workflow: export, then submit

    for month in months:
        submit(ws, "monthly", month, export_dir=default_reports_dir(ws))


def build_demo(ws: Workspace, *, unit: str = "南大街街道") -> str:
    """Fill an empty ledger with the sample quarter; returns a summary line."""
    if list(ws.db.query("SELECT 1 FROM entries LIMIT 1")):
        raise AppError("此数据文件夹已有台账，示例数据只能在空的数据文件夹中生成。请用 --data-dir 指定一个新文件夹。")
    _ensure_profile(ws, unit)
    profile = ws.require_profile()
    tasks = ws.tasks()
    seqs = {t.seq for t in tasks}
    tasklist = ws.tasklist
    actor = profile.operator
    today = dt.date(tasklist.year, 12, 31) if dt.date.today().year > tasklist.year else dt.date.today()
    n_entries = n_photos = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (seq, day, kind, title, location, people, measures, photos) in enumerate(ENTRIES):
            if seq not in seqs or dt.date.fromisoformat(day) > today:
                continue
            draft = EntryDraft(task_seq=seq, entry_date=day, entry_type=kind, title=title,
                               content=f"{title}。{location}，由街道城管科牵头组织，相关社区、物业共同参与，现场记录并整理佐证材料。",
                               location=location, organizer=f"{profile.unit}城管科", participants=people, measures=measures)
            entry_id = add_entry(ws.db, tasklist, tasks, draft, actor=actor)
            n_entries += 1
            for p in range(photos):
                path = make_photo(Path(tmp) / f"{day}_{seq}_{n}_{p + 1}.jpg", title=title,
                                  caption=f"{day}  {location}", seed=n * 7 + p)
                attach_file(ws.db, ws.data_dir, entry_id, path, actor=actor)
                n_photos += 1
        sheet = tasklist.scoresheet
        for name, households, facilities, evaluation, metering in COMMUNITIES:
            add_community(ws.db, name, households=households, facilities=facilities, metering=metering,
                          year=tasklist.year, actor=actor)
            if evaluation:
                day, total = evaluation
                if total is None:  # a full sheet, losing a few points on sorting quality
                    items = {i.code: i.points for i in sheet.items}
                    items["C2"] = items.get("C2", 0) - (1.5 if name == "青果巷小区" else 1)
                    items["A2"] = items.get("A2", 0) - (2 if name == "青果巷小区" else 2)
                    record_evaluation(ws.db, tasklist, name, eval_date=day, items=items, evaluator="区垃分办测评组", actor=actor)
                else:
                    record_evaluation(ws.db, tasklist, name, eval_date=day, total=total, evaluator="区垃分办测评组", actor=actor)
        if any(i.compute.get("measure") == "demo_villages" for t in tasks for i in t.indicators):
            for name, households, demo in VILLAGES:
                add_community(ws.db, name, kind="village", households=households, year=tasklist.year, actor=actor)
                if demo:
                    update_community(ws.db, name, demo_village=demo, year=tasklist.year, actor=actor)
    _mark_submitted(ws, ["2023-04", "2023-05"])
    return (f"已为 {profile.unit} 生成 {tasklist.year} 年第二季度示例数据：台账 {n_entries} 条，"
            f"佐证照片 {n_photos} 张，小区 {len(COMMUNITIES)} 个。打开程序即可查看工作台。")
