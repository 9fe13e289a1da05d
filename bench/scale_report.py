"""The figures bench/store_scale.py collects and the tables it prints: per size, each figure
next to its baseline (the smallest size for the catalog, the empty store for the rest), the
ratio and the goal. Ratio: the figure over the baseline, for req/s the baseline over the
figure, so that above 1 is always worse."""

from harness import percentile

REQUESTS = ("POST /api/auth/send-code, a new person", "POST /api/auth/verify-code, a new person",
            "POST /api/auth/send-code, signed in before",
            "POST /api/auth/verify-code, signed in before", "GET /api/me",
            "POST /api/dialogs/<id>/messages", "GET /cabinet/b/<id>/inbox",
            "GET /cabinet/b/<id>/inbox?dialog=<id>")
CATALOG_GOAL, REQUEST_GOAL, SEED_GOAL_SECONDS, SEED_GOAL_SIZE = 2.0, 1.5, 60.0, 10_000


class Results:
    def __init__(self, sizes):
        self.sizes = sizes
        self.stores, self.requests, self.load, self.memory, self.seeds = {}, {}, {}, {}, []

    def add_store(self, label, found, in_process):
        self.stores[label] = {"found": found, "in_process": in_process}

    def add_requests(self, label, samples, server, empty):
        self.requests[label] = {"figure": samples[label], "baseline": samples[empty.label],
                                "ready": (server.ready_s, empty.ready_s),
                                "rss_ready": (server.rss_ready, empty.rss_ready)}

    def add_load(self, label, results, smallest_label):
        """harness.measure()'s results: each catalog target of this size and of the smallest."""
        mine = [r for r in results if r.name.endswith(f" on {label}")]
        theirs = [r for r in results if r.name.endswith(f" on {smallest_label}")]
        self.load[label] = list(zip(mine, theirs, strict=True))

    def add_worker_memory(self, label, worker, empty_worker):
        self.memory[label] = (worker, empty_worker)


def _row(name, figure, baseline, where, goal, higher_is_better=False, digits=2):
    if figure is None or baseline is None:
        return f"  {name:<52} {'-':>10}"
    ratio = (baseline / figure if figure else float("inf")) if higher_is_better \
        else (figure / baseline if baseline else float("inf"))
    verdict = "" if goal is None else f"<={goal:g}x {'meets' if ratio <= goal else 'MISSES'}"
    return (f"  {name:<52} {figure:>10.{digits}f} {baseline:>10.{digits}f} {where:<8} "
            f"{ratio:>6.2f}  {verdict}")


def table(results, label):
    """The table of one size."""
    store, empty = results.stores[label], results.stores["empty"]
    smallest = f"{results.sizes[0]:,}"
    counts = store["found"]["counts"]
    lines = [
        "",
        f"== {label} businesses: {counts.get('users', 0):,} people, "
        f"{counts.get('subscriptions', 0):,} subscriptions, {counts.get('conversations', 0):,} "
        f"dialogs, {counts.get('messages', 0):,} messages; {sum(counts.values()):,} documents, "
        f"built in {store['found']['seconds']:.0f} s",
        f"  {'':<52} {'figure':>10} {'baseline':>10} {'of':<8} {'ratio':>6}  goal",
    ]
    own, base = store["in_process"], results.stores[smallest]["in_process"]
    runs = min(len(times) for times in own["times"].values())
    lines.append(f" catalog.search() in-process, ms ({runs} runs per kind, the queries in turn)")
    for kind in own["times"]:
        for name, fraction in (("p50", 0.50), ("p99", 0.99)):
            lines.append(_row(f"{kind} {name}", percentile(own["times"][kind], fraction) * 1000,
                              percentile(base["times"][kind], fraction) * 1000, smallest,
                              CATALOG_GOAL))
    lines.append(" GET /api/catalog, 8 clients: req/s (non-2xx answers in brackets)")
    for mine, theirs in results.load.get(label, []):
        name = mine.name.rsplit(" on ", 1)[0]
        ok_mine = (mine.requests - mine.errors) / mine.seconds
        ok_theirs = (theirs.requests - theirs.errors) / theirs.seconds
        lines.append(_row(f"{name} ({mine.errors}/{theirs.errors})", ok_mine, ok_theirs,
                          smallest, CATALOG_GOAL, higher_is_better=True, digits=1))
    requests = results.requests.get(label)
    if requests:
        count = min(len(times) for times in requests["figure"].values())
        lines.append(f" one request at a time, ms ({count} samples each, interleaved)")
        for row in REQUESTS:
            for name, fraction in (("p50", 0.50), ("p99", 0.99)):
                lines.append(_row(f"{row} {name}",
                                  percentile(requests["figure"][row], fraction) * 1000,
                                  percentile(requests["baseline"][row], fraction) * 1000,
                                  "empty", REQUEST_GOAL))
    lines.append(" opening the store, s")
    lines.append(_row("create_app() in a fresh process", own["open_s"],
                      empty["in_process"]["open_s"], "empty", None))
    if requests:
        lines.append(_row("gunicorn started until it answers", *requests["ready"], "empty",
                          None))
    lines.append(" resident memory, MiB")
    lines.append(_row("in-process, the store opened", own["rss_open"],
                      empty["in_process"]["rss_open"], "empty", None, digits=0))
    lines.append(_row("in-process, peak while opening and searching", own["rss_peak"],
                      empty["in_process"]["rss_peak"], "empty", None, digits=0))
    if requests:
        lines.append(_row("gunicorn worker, once answering", *requests["rss_ready"], "empty",
                          None, digits=0))
    if label in results.memory:
        (worker, worker_peak), (empty_worker, empty_peak) = results.memory[label]
        lines.append(_row("gunicorn worker, after the requests", worker, empty_worker, "empty",
                          None, digits=0))
        lines.append(_row("gunicorn worker, peak", worker_peak, empty_peak, "empty", None,
                          digits=0))
    totals = ", ".join(f"{name} {found:,}" for name, found in own["totals"].items())
    lines.append(f" what the catalog's queries find here: {totals}")
    return "\n".join(lines)


def seed_table(results):
    lines = ["", "== flask seed-demo --businesses N on a fresh store (after flask migrate)"]
    for businesses, seconds, made, timeout in results.seeds:
        goal = ""
        if businesses == SEED_GOAL_SIZE:
            met = seconds is not None and seconds < SEED_GOAL_SECONDS
            goal = f"  goal under {SEED_GOAL_SECONDS:g} s: {'meets' if met else 'MISSES'}"
        if seconds is None:
            lines.append(f"  {businesses:>7,} businesses: stopped after {timeout:g} s with "
                         f"{made:,} businesses in the store{goal}")
        else:
            lines.append(f"  {businesses:>7,} businesses: {seconds:8.1f} s "
                         f"({businesses / seconds:,.0f} businesses/s){goal}")
    return "\n".join(lines)
