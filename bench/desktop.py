"""Desktop app figures with a large store, measured on the real window through WebDriver.

Run by bench/desktop.sh (which seeds the data dir, starts tauri-driver under Xvfb and exports
HOOKSCOPE_DATA / HOOKSCOPE_LISTEN / HOOKSCOPE_APP). Prints one line per figure; nothing is
asserted: the issue's targets are printed beside the figures as PASS/MISS.

- launch -> list: from the WebDriver session request (which starts the app) to the first event
  row in the DOM. It includes WebKitWebDriver's own start, so it is an upper bound.
- search (backend): `event_list` with a full-text term, invoked from the page, round trip.
- search (UI): typing a term into the search box until the matching row shows; this includes
  the box's 150 ms debounce.
- ack -> row: the client receives the capture server's 2xx, then the row appears in the list
  (a MutationObserver in the page stamps it; both clocks are this machine's wall clock).
- idle memory: PSS and RSS of the app and its WebKit processes after the window has idled.
"""

import os
import statistics
import subprocess
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

CAPTURE = "http://" + os.environ["HOOKSCOPE_LISTEN"]
EVENTS = int(os.environ["BENCH_EVENTS"])
SAMPLES = int(os.environ.get("BENCH_DESKTOP_SAMPLES", "20"))
ROWS = "[data-testid=event-list] .row.event"


def report(name, value, unit, target=None, ok=None):
    verdict = "" if ok is None else ("  PASS" if ok else "  MISS")
    goal = f"  (target {target})" if target else ""
    print(f"{name:<34} {value:>10} {unit:<4}{goal}{verdict}", flush=True)


def post(path):
    req = urllib.request.Request(CAPTURE + path, data=b'{"bench":"live"}', method="POST")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.status == 200, res.status
    return time.time() * 1000.0


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            kids = open(f"/proc/{p}/task/{p}/children").read().split()
        except OSError:
            continue
        todo.extend(int(k) for k in kids)
    return out


def memory_kib(pids):
    pss = rss = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def app_pid():
    out = subprocess.run(
        ["pgrep", "-f", "-x", os.environ["HOOKSCOPE_APP"] + ".*"], capture_output=True, text=True
    ).stdout.split()
    return int(out[0]) if out else None


def main():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    t0 = time.monotonic()
    d = webdriver.Remote("http://127.0.0.1:4444", options=opts)
    try:
        WebDriverWait(d, 60, poll_frequency=0.02).until(lambda d: d.find_elements(By.CSS_SELECTOR, ROWS))
        launch = time.monotonic() - t0
        report(f"launch -> list ({EVENTS} events)", f"{launch * 1000:.0f}", "ms", "< 2000 ms", launch < 2.0)
        in_page = d.execute_script("return performance.now()")
        report("  of which in the page (load -> now)", f"{in_page:.0f}", "ms")

        d.set_script_timeout(30)
        backend = []
        for i in range(SAMPLES):
            term = f"needle-{(i * 7919) % EVENTS:06d}"
            ms = d.execute_async_script(
                """const [term, done] = arguments;
                   const t = performance.now();
                   window.__TAURI_INTERNALS__.invoke('event_list', { req: { search: term, limit: 300 } })
                     .then((rows) => done(rows.length ? performance.now() - t : -1), (e) => done(-2));""",
                term,
            )
            assert ms >= 0, f"search for {term} found nothing ({ms})"
            backend.append(ms)
        p50, worst = statistics.median(backend), max(backend)
        report("search, backend (median)", f"{p50:.1f}", "ms", "< 200 ms", worst < 200)
        report("search, backend (worst)", f"{worst:.1f}", "ms")

        ui = []
        for i in range(5):
            term = f"needle-{(i * 104729) % EVENTS:06d}"
            ms = d.execute_async_script(
                """const [term, done] = arguments;
                   const box = document.querySelector('[data-testid=search]');
                   const list = document.querySelector('[data-testid=event-list]');
                   const t = performance.now();
                   const seen = () => [...list.querySelectorAll('.row.event')].length > 0 &&
                     [...list.querySelectorAll('.row.event')].every((r) => r.innerText.includes('/' + term));
                   const obs = new MutationObserver(() => { if (seen()) { obs.disconnect(); done(performance.now() - t); } });
                   obs.observe(list, { childList: true, subtree: true, characterData: true });
                   box.value = term;
                   box.dispatchEvent(new Event('input', { bubbles: true }));""",
                term,
            )
            ui.append(ms)
        report("search, typed in the UI (median)", f"{statistics.median(ui):.0f}", "ms")
        d.execute_script(
            """const box = document.querySelector('[data-testid=search]');
               box.value = ''; box.dispatchEvent(new Event('input', { bubbles: true }));"""
        )
        # Every seeded event matches "needle-"; a found term shows one row, the whole list many.
        WebDriverWait(d, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ROWS)) > 1)

        d.execute_script(
            """window.__seen = {};
               const list = document.querySelector('[data-testid=event-list]');
               new MutationObserver(() => {
                 for (const r of list.querySelectorAll('.row.event')) {
                   const m = /\\/bench\\/live-(\\d+)/.exec(r.innerText);
                   if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = performance.timeOrigin + performance.now();
                 }
               }).observe(list, { childList: true, subtree: true, characterData: true });"""
        )
        acks = {}
        for i in range(SAMPLES):
            acks[str(i)] = post(f"/bench/live-{i}")
            time.sleep(0.25)
        time.sleep(1)
        seen = d.execute_script("return window.__seen")
        missing = [k for k in acks if k not in seen]
        assert not missing, f"rows never appeared: {missing}"
        lat = [seen[k] - acks[k] for k in acks]
        p50, worst = statistics.median(lat), max(lat)
        report("ack -> row in the list (median)", f"{p50:.0f}", "ms", "< 100 ms", p50 < 100)
        report("ack -> row in the list (worst)", f"{worst:.0f}", "ms", "< 100 ms", worst < 100)

        time.sleep(10)
        pid = app_pid()
        if pid is None:
            report("idle memory", "?", "", None, None)
        else:
            pids = descendants(pid)
            pss, rss = memory_kib(pids)
            report(f"idle memory, PSS ({len(pids)} processes)", f"{pss / 1024:.0f}", "MiB")
            report("idle memory, RSS sum", f"{rss / 1024:.0f}", "MiB")
    finally:
        d.quit()


if __name__ == "__main__":
    main()
