"""Tiling the sample county: county → towns → villages → grids → micro-grids.

Method. All work happens in a plane in kilometres: the spherical sinusoidal projection
(x = R·Δλ·cos φ, y = R·Δφ, R = 6371.0072 km, the authalic radius), which is equal-area, so
`area_km2` is the planar area of a polygon projected this way. The micro-grids are the cells of
ONE Voronoi diagram of seed points (denser in the urban core), noded together with the county
outline and polygonised, so neighbours share exactly the same vertices. Towns, villages and
grids are connected groups of micro-grids grown over the adjacency graph from well-spread seeds
(multi-source Dijkstra, which keeps every group connected); a split that yields a holed or
multi-part unit is redrawn. Every unit above the micro-grid is the coverage union of its
micro-grids, so each level tiles its parent exactly, including after rounding to 6 decimals
(shared vertices round identically).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon

EARTH_RADIUS_KM = 6371.0072  # authalic radius: the sphere with the ellipsoid's area
COORD_DECIMALS = 6


class Projection:
    """Spherical sinusoidal (equal-area) projection centred on (lon0, lat0), in km."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0

    def to_km(self, lonlat: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(lonlat[:, 0] - self.lon0), np.radians(lonlat[:, 1])
        return np.column_stack([EARTH_RADIUS_KM * lon * np.cos(lat), EARTH_RADIUS_KM * (lat - math.radians(self.lat0))])

    def to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        lat = xy[:, 1] / EARTH_RADIUS_KM + math.radians(self.lat0)
        lon = xy[:, 0] / (EARTH_RADIUS_KM * np.cos(lat))
        return np.column_stack([np.degrees(lon) + self.lon0, np.degrees(lat)])

    def area_km2(self, geoms) -> np.ndarray:
        return shapely.area(shapely.transform(geoms, self.to_km))


@dataclass(frozen=True)
class TilingSpec:
    n_towns: int
    n_streets: int  # urban streets, the first towns, around the urban core
    n_villages: int
    n_grids: int
    n_micro: int
    area_km2: float
    lon0: float
    lat0: float
    half_width_km: float  # of the outline's base ellipse
    half_height_km: float
    core_offset_km: tuple[float, float]  # urban core relative to the centre
    core_sigma_km: float
    core_peak: float  # micro-grid density at the core, relative to the countryside


@dataclass
class Tiling:
    """Polygons in lon/lat (rounded) and the parent index of every unit."""

    county: Polygon
    towns: np.ndarray  # of Polygon
    villages: np.ndarray
    grids: np.ndarray
    micro: np.ndarray
    village_town: np.ndarray  # parent indexes
    grid_village: np.ndarray
    micro_grid: np.ndarray
    micro_density: np.ndarray  # relative settlement density at each micro-grid
    projection: Projection


def _outline(rng: np.random.Generator, spec: TilingSpec) -> Polygon:
    """An irregular, roughly elliptical county outline of the requested area (km plane)."""
    theta = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    log_r = np.zeros_like(theta)
    for k in range(2, 11):
        log_r += rng.normal(0, 0.3 / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    log_r += rng.normal(0, 0.012, theta.size)  # a ragged edge, like a real boundary
    r = np.exp(log_r)
    pts = np.column_stack([spec.half_width_km * r * np.cos(theta), spec.half_height_km * r * np.sin(theta)])
    poly = Polygon(pts)
    scale = math.sqrt(spec.area_km2 / poly.area)
    return Polygon(pts * scale)


def _density(xy: np.ndarray, spec: TilingSpec, bumps: np.ndarray) -> np.ndarray:
    d2 = ((xy - np.asarray(spec.core_offset_km)) ** 2).sum(axis=1)
    dens = 1.0 + spec.core_peak * np.exp(-d2 / (2 * spec.core_sigma_km**2))
    for bx, by, peak, sigma in bumps:  # market towns in the countryside
        dens += peak * np.exp(-((xy[:, 0] - bx) ** 2 + (xy[:, 1] - by) ** 2) / (2 * sigma**2))
    return dens


def _sample_seeds(rng, outline: Polygon, n: int, spec: TilingSpec, bumps) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    max_dens = 1.0 + spec.core_peak + bumps[:, 2].sum()
    shapely.prepare(outline)
    out = np.empty((0, 2))
    while len(out) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        keep = shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        keep &= rng.uniform(0, max_dens, len(cand)) < _density(cand, spec, bumps)
        out = np.vstack([out, cand[keep]])
    return out[:n]


def _voronoi_cells(seeds: np.ndarray, outline: Polygon) -> np.ndarray:
    """Voronoi cells of the seeds inside the outline, one Polygon per seed, as a coverage."""
    box = shapely.box(*outline.buffer(10).bounds)
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=box, only_edges=True)
    # One snap-rounded noding of all edges and the outline: neighbours share exact vertices.
    noded = shapely.union_all([edges, outline.exterior], grid_size=1e-7)
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    inside = shapely.contains_xy(outline, *shapely.get_coordinates(shapely.point_on_surface(faces)).T)
    faces = faces[inside]
    tree = shapely.STRtree(faces)
    pt_idx, face_idx = tree.query(shapely.points(seeds), predicate="within")
    label = np.full(len(faces), -1)
    label[face_idx] = pt_idx
    if len(set(pt_idx.tolist())) != len(seeds):
        raise RuntimeError("a Voronoi seed fell outside every face")
    # Stray parts of a cell cut off by the concave outline join the neighbour they share the
    # longest border with.
    pairs = _adjacency(faces)
    while (label < 0).any():
        best: dict[int, tuple[float, int]] = {}
        for i, j, length in pairs:
            for a, b in ((i, j), (j, i)):
                if label[a] < 0 <= label[b] and length > best.get(a, (0.0, -1))[0]:
                    best[a] = (length, b)
        if not best:
            raise RuntimeError("an outline fragment touches no cell")
        for a in sorted(best):
            label[a] = label[best[a][1]]
    cells = np.empty(len(seeds), dtype=object)
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(len(seeds) + 1))
    for s in range(len(seeds)):
        parts = faces[order[bounds[s] : bounds[s + 1]]]
        cells[s] = parts[0] if len(parts) == 1 else shapely.coverage_union_all(parts)
    return cells


def _adjacency(polys: np.ndarray) -> list[tuple[int, int, float]]:
    """(i, j, shared border length) for polygons that share an edge, i < j."""
    tree = shapely.STRtree(polys)
    a, b = tree.query(polys, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(polys[a]), shapely.boundary(polys[b])))
    ok = shared > 1e-9
    return list(zip(a[ok].tolist(), b[ok].tolist(), shared[ok].tolist()))


class _Graph:
    def __init__(self, cells: np.ndarray):
        self.centroids = shapely.get_coordinates(shapely.centroid(cells))
        self.cells = cells
        self.nbrs: list[list[tuple[int, float]]] = [[] for _ in range(len(cells))]
        for i, j, _ in _adjacency(cells):
            d = float(np.hypot(*(self.centroids[i] - self.centroids[j])))
            self.nbrs[i].append((j, d))
            self.nbrs[j].append((i, d))

    def grow(self, members: np.ndarray, seeds: list[int], weights: list[float]) -> dict[int, int]:
        """Multi-source Dijkstra over `members` from `seeds`: {cell: region index}."""
        allowed = set(members.tolist())
        region: dict[int, int] = {}
        heap = [(0.0, s, r) for r, s in enumerate(seeds)]
        heapq.heapify(heap)
        while heap:
            cost, c, r = heapq.heappop(heap)
            if c in region:
                continue
            region[c] = r
            for n, d in self.nbrs[c]:
                if n in allowed and n not in region:
                    heapq.heappush(heap, (cost + d * weights[r], n, r))
        if len(region) != len(allowed):
            raise RuntimeError("a parent unit is not connected")
        return region

    def spread_seeds(self, rng, members: np.ndarray, k: int, fixed: list[int] | None = None) -> list[int]:
        """k well-spread member cells (farthest-point sampling with jitter)."""
        pts = self.centroids[members]
        chosen = list(fixed or [])
        if not chosen:
            chosen.append(int(members[rng.integers(len(members))]))
        mind = np.full(len(members), np.inf)
        for c in chosen:
            mind = np.minimum(mind, np.hypot(*(pts - self.centroids[c]).T))
        while len(chosen) < k:
            score = mind * rng.uniform(0.75, 1.0, len(members))
            score[np.isin(members, chosen)] = -1
            c = int(members[int(np.argmax(score))])
            chosen.append(c)
            mind = np.minimum(mind, np.hypot(*(pts - self.centroids[c]).T))
        return chosen

    def is_simple(self, members: list[int]) -> bool:
        u = self.cells[members[0]] if len(members) == 1 else shapely.coverage_union_all(self.cells[members])
        return u.geom_type == "Polygon" and len(u.interiors) == 0


def _split(rng, graph: _Graph, members: np.ndarray, k: int, tries: int = 200) -> list[np.ndarray]:
    """Split `members` into k connected, hole-free groups; redraw the seeds until it works."""
    for _ in range(tries):
        seeds = graph.spread_seeds(rng, members, k)
        region = graph.grow(members, seeds, [1.0] * k)
        groups = [[] for _ in range(k)]
        for c in members.tolist():
            groups[region[c]].append(c)
        if all(graph.is_simple(g) for g in groups):
            return [np.array(sorted(g)) for g in groups]
    raise RuntimeError(f"could not split {len(members)} cells into {k} simple units")


def allocate(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Integers ≥ 1 and ≤ caps, summing to total, proportional to weights (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    out = np.ones(len(weights), dtype=int)
    while out.sum() < total:
        room = out < caps
        if not room.any():
            raise ValueError("allocation exceeds capacity")
        # Give the next unit to whoever is furthest below its proportional share.
        deficit = np.where(room, weights / weights.sum() * total - out, -np.inf)
        out[int(np.argmax(deficit))] += 1
    return out


def _to_lonlat_rounded(geoms: np.ndarray, proj: Projection) -> np.ndarray:
    out = shapely.transform(geoms, lambda xy: np.round(proj.to_lonlat(xy), COORD_DECIMALS))
    return shapely.remove_repeated_points(out)


def _union_levels(micro: np.ndarray, parent: np.ndarray, n_parent: int) -> np.ndarray:
    out = np.empty(n_parent, dtype=object)
    order = np.argsort(parent, kind="stable")
    bounds = np.searchsorted(parent[order], np.arange(n_parent + 1))
    for p in range(n_parent):
        members = micro[order[bounds[p] : bounds[p + 1]]]
        out[p] = members[0] if len(members) == 1 else shapely.coverage_union_all(members)
    return out


def build_tiling(rng: np.random.Generator, spec: TilingSpec) -> Tiling:
    outline = _outline(rng, spec)
    bumps = np.array(
        [  # (x, y, peak, sigma): market towns in the countryside
            (
                rng.uniform(-0.7, 0.7) * spec.half_width_km,
                rng.uniform(-0.7, 0.7) * spec.half_height_km,
                rng.uniform(0.8, 2.0),
                rng.uniform(1.0, 2.0),
            )
            for _ in range(max(2, spec.n_towns - spec.n_streets))
        ]
    )
    seeds = _sample_seeds(rng, outline, spec.n_micro, spec, bumps)
    # One Lloyd step evens out the cells (no slivers) but keeps the urban/rural contrast.
    cells = _voronoi_cells(seeds, outline)
    seeds = shapely.get_coordinates(shapely.point_on_surface(cells))
    cells = _voronoi_cells(seeds, outline)
    graph = _Graph(cells)
    density = _density(graph.centroids, spec, bumps)

    everything = np.arange(spec.n_micro)
    core = np.asarray(spec.core_offset_km)
    dist_core = np.hypot(*(graph.centroids - core).T)
    # Streets sit around the urban core; towns are spread over the countryside beyond it.
    street_seeds = []
    for s in range(spec.n_streets):
        angle = 2 * np.pi * (s + rng.uniform(0.2, 0.8)) / spec.n_streets
        target = core + rng.uniform(0.4, 0.9) * spec.core_sigma_km * np.array([np.cos(angle), np.sin(angle)])
        street_seeds.append(int(np.argmin(np.hypot(*(graph.centroids - target).T))))
    rural = everything[dist_core > 2.2 * spec.core_sigma_km]
    town_weights = [1.5] * spec.n_streets + [1.0] * (spec.n_towns - spec.n_streets)
    for _ in range(200):
        seeds_t = graph.spread_seeds(rng, rural if street_seeds else everything, spec.n_towns, street_seeds)
        region = graph.grow(everything, seeds_t, town_weights)
        towns = [np.array(sorted(c for c in everything.tolist() if region[c] == t)) for t in range(spec.n_towns)]
        if all(graph.is_simple(t.tolist()) for t in towns):
            break
    else:
        raise RuntimeError("could not split the county into towns")

    sizes = np.array([len(t) for t in towns])
    is_street = np.arange(spec.n_towns) < spec.n_streets
    n_vil = allocate(spec.n_villages, sizes * np.where(is_street, 0.5, 1.0), sizes)
    villages: list[np.ndarray] = []
    village_town: list[int] = []
    for t, members in enumerate(towns):
        for v in _split(rng, graph, members, int(n_vil[t])):
            villages.append(v)
            village_town.append(t)
    vsizes = np.array([len(v) for v in villages])
    n_grid = allocate(spec.n_grids, vsizes, vsizes)
    grids: list[np.ndarray] = []
    grid_village: list[int] = []
    for v, members in enumerate(villages):
        for g in _split(rng, graph, members, int(n_grid[v])):
            grids.append(g)
            grid_village.append(v)

    micro_grid = np.empty(spec.n_micro, dtype=int)
    for g, members in enumerate(grids):
        micro_grid[members] = g
    # Renumber micro-grids grid by grid, west to east inside a grid, so codes read naturally.
    order = np.lexsort((graph.centroids[:, 0], micro_grid))
    proj = Projection(spec.lon0, spec.lat0)
    micro = _to_lonlat_rounded(cells[order], proj)
    micro_grid = micro_grid[order]
    grid_village_a = np.array(grid_village)
    village_town_a = np.array(village_town)
    grid_poly = _union_levels(micro, micro_grid, len(grids))
    micro_village = grid_village_a[micro_grid]
    village_poly = _union_levels(micro, micro_village, len(villages))
    town_poly = _union_levels(micro, village_town_a[micro_village], spec.n_towns)
    county = shapely.coverage_union_all(micro)
    tiling = Tiling(
        county,
        town_poly,
        village_poly,
        grid_poly,
        micro,
        village_town_a,
        grid_village_a,
        micro_grid,
        density[order],
        proj,
    )
    _check(tiling)
    return tiling


def _check(t: Tiling) -> None:
    for level, geoms in (
        ("county", np.array([t.county])),
        ("town", t.towns),
        ("village", t.villages),
        ("grid", t.grids),
        ("micro-grid", t.micro),
    ):
        bad = [i for i, g in enumerate(geoms) if g.geom_type != "Polygon" or not g.is_valid or len(g.interiors)]
        if bad:
            raise RuntimeError(f"{len(bad)} {level} polygons are not simple valid polygons")
    if not shapely.coverage_is_valid(t.micro):
        raise RuntimeError("micro-grids do not form a clean coverage after rounding")


def sample_points(rng: np.random.Generator, polys: np.ndarray, which: np.ndarray) -> np.ndarray:
    """One uniform random point strictly inside polys[which[i]] for each i, rounded to 6 dp."""
    out = np.empty((len(which), 2))
    todo = np.arange(len(which))
    bounds = shapely.bounds(polys)
    while len(todo):
        b = bounds[which[todo]]
        x = np.round(rng.uniform(b[:, 0], b[:, 2]), COORD_DECIMALS)
        y = np.round(rng.uniform(b[:, 1], b[:, 3]), COORD_DECIMALS)
        ok = shapely.contains_xy(polys[which[todo]], x, y)
        out[todo[ok], 0] = x[ok]
        out[todo[ok], 1] = y[ok]
        todo = todo[~ok]
    return out
