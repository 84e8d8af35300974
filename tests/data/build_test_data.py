"""Builds the small import test files in this folder (run once; the outputs are committed).

    python tests/data/build_test_data.py

A made-up district ("示范区", 120.00–120.12°E, 30.00–30.06°N): 2 towns × 2 villages × 2 grids.
- towns.geojson (EPSG:4326), villages.zip (Shapefile, CGCS2000 EPSG:4490, parent code field),
  grids.gpkg (UTM 51N EPSG:32651, parent code and household fields);
- broken boundaries: villages_bowtie.geojson (a self-intersecting polygon), towns_utm_in_geojson.geojson
  (UTM metres written into GeoJSON, which readers take as degrees), towns_no_prj.zip (a Shapefile
  in UTM without .prj), towns_dup.geojson (an id twice);
- events: open311_requests.csv (Open311 GeoReport v2 columns, UTF-8; synthetic, see its docstring
  below), cn_platform_gbk.csv / cn_platform_bom.csv / cn_platform.xlsx (the same rows of a
  typical Chinese platform export in GBK, UTF-8 with BOM and Excel), cn_platform_broken_gbk.csv.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Polygon, box

HERE = Path(__file__).resolve().parent
X0, X1, Y0, Y1 = 120.00, 120.12, 30.00, 30.06
TOWNS = [("T01", "城南街道", X0, X0 + 0.06), ("T02", "青山镇", X0 + 0.06, X1)]
VILLAGE_NAMES = {"T01": ["南门社区", "西湖社区"], "T02": ["青山村", "溪口村"]}
TZ = dt.timezone(dt.timedelta(hours=8))


def units():
    towns, villages, grids = [], [], []
    for tcode, tname, a, b in TOWNS:
        towns.append({"code": tcode, "name": tname, "geometry": box(a, Y0, b, Y1)})
        for k, (c, d) in enumerate(((Y0, Y0 + 0.03), (Y0 + 0.03, Y1))):
            vcode = f"{tcode}V{k + 1:02d}"
            vname = VILLAGE_NAMES[tcode][k]
            villages.append({"CODE": vcode, "NAME": vname, "TOWN": tcode, "geometry": box(a, c, b, d)})
            mid = (a + b) / 2
            for g, (e, f) in enumerate(((a, mid), (mid, b))):
                grids.append(
                    {
                        "grid_code": f"{vcode}G{g + 1:02d}",
                        "grid_name": f"{vname}第{g + 1}网格",
                        "village": vcode,
                        "households": 200 + 37 * len(grids),
                        "residents": 560 + 90 * len(grids),
                        "geometry": box(e, c, f, d),
                    }
                )
    return towns, villages, grids


def write_boundaries():
    towns, villages, grids = units()
    gpd.GeoDataFrame(towns, crs="EPSG:4326").to_file(HERE / "towns.geojson", driver="GeoJSON")
    shp = HERE / "_shp"
    shp.mkdir(exist_ok=True)
    gpd.GeoDataFrame(villages, crs="EPSG:4490").to_file(shp / "villages.shp", encoding="utf-8")
    with zipfile.ZipFile(HERE / "villages.zip", "w") as zf:
        for p in sorted(shp.glob("villages.*")):
            zf.write(p, p.name)
    gpd.GeoDataFrame(grids, crs="EPSG:4326").to_crs("EPSG:32651").to_file(HERE / "grids.gpkg", driver="GPKG")
    # broken ones
    bow = [dict(v) for v in villages]
    a, c, b, d = bow[0]["geometry"].bounds
    bow[0]["geometry"] = Polygon([(a, c), (b, d), (b, c), (a, d)])  # a bow-tie: self-intersecting
    gpd.GeoDataFrame(bow, crs="EPSG:4326").to_file(HERE / "villages_bowtie.geojson", driver="GeoJSON")
    utm = gpd.GeoDataFrame(towns, crs="EPSG:4326").to_crs("EPSG:32651")
    utm.set_crs("EPSG:4326", allow_override=True).to_file(HERE / "towns_utm_in_geojson.geojson", driver="GeoJSON")
    utm.set_crs(None, allow_override=True).to_file(shp / "towns_no_prj.shp", encoding="utf-8")
    (shp / "towns_no_prj.prj").unlink(missing_ok=True)
    with zipfile.ZipFile(HERE / "towns_no_prj.zip", "w") as zf:
        for p in sorted(shp.glob("towns_no_prj.*")):
            zf.write(p, p.name)
    for p in shp.iterdir():
        p.unlink()
    shp.rmdir()
    dup = towns + [{"code": "T01", "name": "城南街道(重复)", "geometry": box(X0, Y0, X0 + 0.01, Y0 + 0.01)}]
    gpd.GeoDataFrame(dup, crs="EPSG:4326").to_file(HERE / "towns_dup.geojson", driver="GeoJSON")


# Open311 services: (service_code, service_name, agency, median hours to close, share)
SERVICES = [
    ("pothole", "Pothole / damaged road", "Housing and Construction Bureau", 70, 14),
    ("streetlight", "Street light out", "Power Supply Company", 30, 12),
    ("graffiti", "Graffiti / illegal flyers", "Urban Management Bureau", 20, 16),
    ("illegal_dumping", "Illegal dumping", "Urban Management Bureau", 26, 18),
    ("noise", "Noise complaint", "Public Security Bureau", 6, 12),
    ("water_leak", "Water main leak", "Water Supply Company", 12, 8),
    ("sidewalk", "Blocked sidewalk", "Urban Management Bureau", 40, 10),
    ("pollution", "Air or water pollution", "Ecology and Environment Bureau", 96, 6),
    ("tree", "Fallen tree or branch", "Housing and Construction Bureau", 48, 4),
]
STREETS = ["解放路", "人民路", "青山路", "溪口街", "南门街", "环城西路", "建设路", "学府路"]


def write_open311(n: int = 320):
    """Open311 GeoReport v2 service requests (synthetic: no real public export is reachable offline)."""
    rnd = random.Random(311)
    start = dt.datetime(2026, 9, 1, tzinfo=TZ)
    weights = [s[4] for s in SERVICES]
    rows = []
    for i in range(n):
        code, name, agency, med, _ = rnd.choices(SERVICES, weights)[0]
        req = start + dt.timedelta(minutes=rnd.randrange(0, 80 * 24 * 60))
        hours = med * rnd.lognormvariate(0, 0.7)
        done = (req + dt.timedelta(hours=hours)).replace(microsecond=0)
        closed = done < dt.datetime(2026, 11, 21, 18, tzinfo=TZ) and rnd.random() < 0.92
        updated = done if closed else (req + dt.timedelta(hours=rnd.uniform(0.2, 6))).replace(microsecond=0)
        lon = round(rnd.uniform(X0 + 0.002, X1 - 0.002), 6)
        lat = round(rnd.uniform(Y0 + 0.002, Y1 - 0.002), 6)
        rows.append(
            {
                "service_request_id": f"26-{100001 + i:07d}",
                "status": "closed" if closed else "open",
                "status_notes": "Work order completed" if closed else "Assigned to crew",
                "service_name": name,
                "service_code": code,
                "description": f"{name} reported near {rnd.choice(STREETS)}",
                "agency_responsible": agency,
                "service_notice": "",
                "requested_datetime": req.isoformat(),
                "updated_datetime": updated.isoformat(),
                "expected_datetime": (req + dt.timedelta(hours=med * 2)).isoformat() if rnd.random() < 0.6 else "",
                "address": f"{rnd.choice(STREETS)}{rnd.randrange(1, 400)}号",
                "address_id": "",
                "zipcode": "311800",
                "lat": lat,
                "long": lon,
                "media_url": "",
            }
        )
    pd.DataFrame(rows).to_csv(HERE / "open311_requests.csv", index=False, encoding="utf-8")


CN_ITEMS = [  # 事件大类, 事项小类, 处置部门, 紧急程度
    ("城市管理", "占道经营", "县综合行政执法局", "一般"),
    ("城市管理", "暴露垃圾", "县综合行政执法局", "一般"),
    ("城市管理", "路灯不亮", "国网县供电公司", "一般"),
    ("公共安全与法治", "治安隐患", "县公安局", "较急"),
    ("矛盾纠纷", "邻里纠纷", "县司法局", "一般"),
    ("安全生产监管", "消防通道堵塞", "县消防救援大队", "紧急"),
]
CN_SOURCES = ["网格员巡查", "入户走访", "群众来电", "12345热线", "视频监控"]


def cn_rows(n: int = 48, seed: int = 2026):
    rnd = random.Random(seed)
    rows = []
    fmt = "%Y/%m/%d %H:%M:%S"
    for i in range(n):
        cat, item, dept, urg = rnd.choice(CN_ITEMS)
        rep = dt.datetime(2026, 10, 1, 8) + dt.timedelta(minutes=rnd.randrange(0, 50 * 24 * 60))
        acc = rep + dt.timedelta(minutes=rnd.randrange(5, 120))
        dis = acc + dt.timedelta(minutes=rnd.randrange(10, 240))
        fin = dis + dt.timedelta(hours=rnd.uniform(2, 90))
        clo = fin + dt.timedelta(hours=rnd.uniform(1, 24))
        state = rnd.choices(["已结案", "处置中", "已办结"], [7, 2, 1])[0]
        rows.append(
            {
                "事件编号": f"SJ2026{i + 1:05d}",
                "事件大类": cat,
                "事项小类": item,
                "事件来源": rnd.choice(CN_SOURCES),
                "紧急程度": urg,
                "处置部门": dept,
                "事件描述": f"{rnd.choice(STREETS)}附近{item}",
                "经度": f"{rnd.uniform(X0 + 0.002, X1 - 0.002):.6f}",
                "纬度": f"{rnd.uniform(Y0 + 0.002, Y1 - 0.002):.6f}",
                "上报时间": rep.strftime(fmt),
                "受理时间": acc.strftime(fmt),
                "派遣时间": dis.strftime(fmt),
                "办结时间": fin.strftime(fmt) if state != "处置中" else "",
                "结案时间": clo.strftime(fmt) if state == "已结案" else "",
                "办理状态": state,
                "满意度": str(rnd.randint(3, 5)) if state == "已结案" else "",
            }
        )
    return pd.DataFrame(rows)


def write_cn():
    df = cn_rows()
    df.to_csv(HERE / "cn_platform_gbk.csv", index=False, encoding="gbk")
    df.to_csv(HERE / "cn_platform_bom.csv", index=False, encoding="utf-8-sig")
    df.to_excel(HERE / "cn_platform.xlsx", index=False)
    bad = cn_rows(8, seed=9).copy()
    bad["事件编号"] = [f"BAD{i:03d}" for i in range(1, 9)]
    bad.loc[1, "事件编号"] = "BAD001"  # duplicate id (row 3)
    bad.loc[2, "结案时间"] = "2026/09/01 08:00:00"  # closed before reported (row 4)
    bad.loc[2, "办理状态"] = "已结案"
    bad.loc[3, ["经度", "纬度"]] = ["121.500000", "31.200000"]  # outside every grid (row 5)
    bad.loc[4, "事件大类"] = "外星人入侵"  # unknown category (row 6)
    bad.loc[5, "上报时间"] = "2026-13-45 25:00"  # unparseable time (row 7)
    bad.loc[6, "事件编号"] = ""  # missing id (row 8)
    bad.to_csv(HERE / "cn_platform_broken_gbk.csv", index=False, encoding="gbk")


if __name__ == "__main__":
    write_boundaries()
    write_open311()
    write_cn()
    print("written:", ", ".join(sorted(p.name for p in HERE.iterdir() if p.suffix != ".py")))
