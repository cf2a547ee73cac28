#!/usr/bin/env python3
"""End-to-end test of Concord's dashboard in headless Chromium.

Run by scripts/browser-test.sh against a `concord demo` that has finished its scenario. Each step
prints one `PASS step N: ...` or `FAIL step N: ...` line; the last line is `N passed, M failed`
and the exit status is non-zero when anything failed.

    python3 scripts/browser/dashboard_e2e.py --base http://127.0.0.1:PORT --token TOKEN \
        --out scripts/browser/out
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

OWNERS = ("finance", "operations", "ecommerce")
SYSTEMS = ("oro", "cin7")
WAIT_S = 15
# Kinds tried first when picking an exception to resolve: ones a finance person would act on.
PREFERRED_KINDS = ("price_mismatch", "tax_mismatch", "payment_mismatch")


class StepFailed(Exception):
    pass


def warn(ctx, message):
    """A UI problem worth a look that does not fail the run."""
    ctx.setdefault("warnings", []).append(message)


def check(cond, message):
    if not cond:
        raise StepFailed(message)


# ---------------------------------------------------------------------------------------------
# Plain HTTP (no browser): the API, probes and metrics.


def http(base, path, token=None):
    """(status, headers, body text) of a GET, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    req = urllib.request.Request(base + path)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def api_exceptions(base, token, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, _, body = http(base, "/api/exceptions" + ("?" + query if query else ""), token)
    check(status == 200, f"GET /api/exceptions?{query} answered {status}: {body[:200]}")
    return json.loads(body)


# ---------------------------------------------------------------------------------------------
# The browser.


def start_browser(chromium, chromedriver, profile_dir):
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile_dir}",
        "--window-size=1440,1000",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=chromedriver, log_output=os.devnull)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(30)
    return driver


def wait(driver, condition, what, timeout=WAIT_S):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except Exception as e:  # TimeoutException, mostly
        raise StepFailed(f"timed out after {timeout} s waiting for {what} (at {driver.current_url})") from e


def path_of(driver):
    url = driver.current_url
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"


def full_page_screenshot(driver, path):
    """The whole page, not just the viewport: grow the window to the document's height."""
    width = 1440
    height = driver.execute_script(
        "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);"
    )
    driver.set_window_size(width, min(max(int(height) + 120, 800), 6000))
    time.sleep(0.3)
    ok = driver.save_screenshot(path)
    driver.set_window_size(width, 1000)
    check(ok and os.path.getsize(path) > 1000, f"screenshot {path} was not written")


def console_problems(driver):
    """Errors and warnings the page logged (JavaScript errors, CSP violations, failed loads)."""
    try:
        entries = driver.get_log("browser")
    except Exception:  # not every driver offers the log
        return []
    return [
        e["message"]
        for e in entries
        if e.get("level") in ("SEVERE", "WARNING")
        # The refused sign-in in step 1 is answered 401 on purpose.
        and not ("/login" in e["message"] and "status of 401" in e["message"])
    ]


def login_form_shown(driver):
    return path_of(driver).startswith("/login") and driver.find_elements(By.ID, "token")


def submit_token(driver, token, answered, what):
    """Types `token` into the login form, submits it and waits for `answered` (a locator)."""
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    # Not staleness_of(<html>): after a cross-document navigation ChromeDriver may report the old
    # element as missing rather than stale, which the wait ignores.
    wait(driver, EC.presence_of_element_located(answered), what)


def owner_counts_on_page(driver):
    """{owner: open count} from the overview's owner cards."""
    counts = {}
    for card in driver.find_elements(By.CSS_SELECTOR, "#overview a.card.owner"):
        label = card.find_element(By.CSS_SELECTOR, ".label").text.strip().lower()
        big = card.find_element(By.CSS_SELECTOR, ".big").text.strip()
        check(big.isdigit(), f"the {label} card shows {big!r}, not a count")
        counts[label] = int(big)
    return counts


def inbox_ids(driver):
    """Exception ids of the rows in the inbox table, in order."""
    ids = []
    for link in driver.find_elements(By.CSS_SELECTOR, "#inbox table.list tbody tr td:first-child a"):
        ids.append(int(link.text.strip()))
    return ids


# ---------------------------------------------------------------------------------------------
# The steps. Each raises StepFailed (or anything else) on failure and returns a short summary.


def step_login(ctx):
    d, base, token = ctx["driver"], ctx["base"], ctx["token"]
    d.get(base + "/")
    wait(d, lambda drv: login_form_shown(drv), "the login form after opening / without a session")
    check(
        d.find_elements(By.CSS_SELECTOR, "input[name=next][value='/']"),
        "the login form does not carry next=/",
    )
    full_page_screenshot(d, os.path.join(ctx["out"], "login.png"))

    submit_token(
        d,
        "not-the-token-" + token[:4],
        (By.CSS_SELECTOR, ".notice.bad[role=alert]"),
        "the refusal of a wrong token",
    )
    check(login_form_shown(d), f"a wrong token did not leave us on the login form ({d.current_url})")
    alert = d.find_elements(By.CSS_SELECTOR, ".notice.bad[role=alert]")
    check(alert and "not recognised" in alert[0].text, "a wrong token shows no refusal message")
    check(
        not [c for c in d.get_cookies() if c["name"] == "concord_session"],
        "a wrong token was given a session cookie",
    )

    submit_token(d, token, (By.ID, "overview"), "the overview after signing in")
    check(path_of(d) == "/", f"signing in landed on {path_of(d)}, not /")
    cookie = [c for c in d.get_cookies() if c["name"] == "concord_session"]
    check(cookie, "no concord_session cookie after signing in")
    check(cookie[0].get("httpOnly"), "the session cookie is not HttpOnly")
    who = d.find_element(By.CSS_SELECTOR, "header.top form.who span").text
    return f"login form shown, wrong token refused, right token signed in as {who!r}"


def step_overview(ctx):
    d, base, token = ctx["driver"], ctx["base"], ctx["token"]
    if path_of(d) != "/":
        d.get(base + "/")
    wait(d, EC.presence_of_element_located((By.ID, "overview")), "the overview")
    text = d.find_element(By.ID, "overview").text
    h1 = d.find_element(By.CSS_SELECTOR, "#overview .headline h1").text
    check(h1.strip(), "the overview has no headline")

    # Each system's health.
    systems = {}
    for section in d.find_elements(By.CSS_SELECTOR, "#overview section.card"):
        if section.find_element(By.TAG_NAME, "h2").text.strip() == "Systems":
            for li in section.find_elements(By.CSS_SELECTOR, "ul.plain li"):
                name = li.find_element(By.TAG_NAME, "strong").text.strip()
                systems[name] = li.find_element(By.CSS_SELECTOR, ".pill").text.strip()
                if systems[name] != "OK":
                    detail = li.find_element(By.CSS_SELECTOR, ".muted").text.strip()
                    warn(ctx, f"overview: {name} shows {systems[name]} after the run: {detail}")
    for s in SYSTEMS:
        check(s in systems, f"the Systems card does not list {s} (it lists {systems})")
        check(systems[s] in ("OK", "Down"), f"{s} shows {systems[s]!r}, not OK or Down")

    # Open exceptions by owner, matching the API.
    counts = owner_counts_on_page(d)
    for owner in OWNERS:
        check(owner in counts, f"no owner card for {owner} (cards: {sorted(counts)})")
    api_open = {o: 0 for o in OWNERS}
    for e in api_exceptions(base, token, status="open"):
        api_open[e["owner"]] = api_open.get(e["owner"], 0) + 1
    check(
        counts == api_open,
        f"owner cards {counts} disagree with /api/exceptions?status=open {api_open}",
    )
    check(sum(api_open.values()) > 0, "the demo left no open exception to look at")
    for owner, n in counts.items():
        if n:
            check(
                f"{n} open exception(s) for {owner}" in text,
                f"the headline list does not say '{n} open exception(s) for {owner}'",
            )
    for heading in ("Systems", "Last activity per flow", "Work queue", "Rate budget",
                    "Newest open exceptions"):
        check(heading in text, f"the overview has no '{heading}' section")
    ctx["overview_counts"] = counts

    # Soft checks: reported as WARN lines, not failures.
    widths = d.execute_script(
        "return [...document.querySelectorAll('#overview svg.bar')]"
        ".map(s => Math.round(s.getBoundingClientRect().width));"
    )
    if widths and max(widths) < 10:
        warn(ctx, f"overview: the queue and rate-budget bars are {max(widths)} px wide at "
                  f"{d.get_window_size()['width']} px (the chart is invisible)")
    flows = [th.text.strip() for th in d.find_elements(By.CSS_SELECTOR, "#overview table.compact th")]
    dups = sorted({f for f in flows if flows.count(f) > 1})
    if dups:
        warn(ctx, f"overview: 'Last activity per flow' lists {dups} twice")
    if "in progress" in text and "position " in text:
        warn(ctx, "overview: a flow shows 'in progress / position <number>' instead of a time")
    full_page_screenshot(d, os.path.join(ctx["out"], "overview.png"))
    return f"systems {systems}; open by owner {counts}; headline {h1!r}"


def step_resolve(ctx):
    d, base, token = ctx["driver"], ctx["base"], ctx["token"]
    open_now = api_exceptions(base, token, status="open")
    check(open_now, "no open exception to resolve")
    by_kind = {}
    for e in open_now:
        by_kind.setdefault(e["kind"], []).append(e)
    kind = next((k for k in PREFERRED_KINDS if k in by_kind), sorted(by_kind)[0])

    # Into the inbox through the navigation (hx-boost swaps the body).
    d.find_element(By.CSS_SELECTOR, "header.top nav a[href='/exceptions']").click()
    wait(d, EC.presence_of_element_located((By.ID, "inbox")), "the exceptions inbox")
    check(path_of(d).startswith("/exceptions"), f"the Exceptions link led to {path_of(d)}")
    all_ids = inbox_ids(d)
    active = api_exceptions(base, token, status="active")
    check(
        sorted(all_ids) == sorted(e["id"] for e in active),
        f"the inbox lists {len(all_ids)} rows, /api/exceptions?status=active has {len(active)}",
    )
    full_page_screenshot(d, os.path.join(ctx["out"], "inbox.png"))

    # Filter by kind: the select re-renders #inbox through htmx.
    old_inbox = d.find_element(By.ID, "inbox")
    Select(d.find_element(By.CSS_SELECTOR, "form.filters select[name=kind]")).select_by_value(kind)
    wait(d, EC.staleness_of(old_inbox), f"the inbox to re-render for kind={kind}")
    wait(d, EC.presence_of_element_located((By.ID, "inbox")), "the filtered inbox")
    kinds_shown = {
        td.text.split("\n")[0].strip()
        for td in d.find_elements(By.CSS_SELECTOR, "#inbox table.list tbody tr td:nth-child(3)")
    }
    check(kinds_shown == {kind}, f"filtering by {kind} shows kinds {kinds_shown}")
    before = inbox_ids(d)

    rows = d.find_elements(By.CSS_SELECTOR, "#inbox table.list tbody tr.st-open")
    check(rows, f"no open row of kind {kind} in the inbox")
    row = rows[0]
    ex_id = int(row.find_element(By.CSS_SELECTOR, "td:first-child a").text.strip())
    owner = row.find_element(By.CSS_SELECTOR, "td:nth-child(2)").text.strip()
    row.find_element(By.CSS_SELECTOR, "details.act summary").click()
    note = f"browser test {int(time.time())}: corrected the price in Cin7"
    field = wait(d, EC.visibility_of_element_located((By.ID, f"note-{ex_id}")), "the note field")
    field.send_keys(note)
    old_inbox = d.find_element(By.ID, "inbox")
    row.find_element(By.CSS_SELECTOR, "button[name=action][value=resolve]").click()
    wait(d, EC.staleness_of(old_inbox), "the inbox to re-render after Resolve")
    notice = wait(
        d,
        EC.presence_of_element_located((By.CSS_SELECTOR, "#inbox .notice.ok")),
        "the 'resolved' notice",
    )
    check(f"Exception {ex_id} resolved." in notice.text, f"the notice says {notice.text!r}")
    after = inbox_ids(d)
    check(ex_id not in after, f"exception {ex_id} is still listed after Resolve ({after})")
    check(
        sorted(after) == sorted(i for i in before if i != ex_id),
        f"the list changed more than by the resolved row: before {before}, after {after}",
    )
    sel = Select(d.find_element(By.CSS_SELECTOR, "form.filters select[name=kind]"))
    check(
        sel.first_selected_option.get_attribute("value") == kind,
        "the kind filter was lost after the action",
    )
    full_page_screenshot(d, os.path.join(ctx["out"], "inbox-after-resolve.png"))

    # The store agrees, with the note, and the overview's card went down by one.
    status, _, body = http(base, f"/api/exceptions/{ex_id}", token)
    check(status == 200, f"/api/exceptions/{ex_id} answered {status}")
    detail = json.loads(body)
    check(detail["exception"]["status"] == "resolved", f"the API says {detail['exception']['status']}")
    check(detail["exception"].get("resolution_note") == note, "the note was not kept")
    check(
        any(a["action"] == "resolved" or "resolve" in a["action"] for a in detail["audit"]),
        f"no audit entry for the resolve: {detail['audit']}",
    )
    d.get(base + "/")
    wait(d, EC.presence_of_element_located((By.ID, "overview")), "the overview again")
    counts = owner_counts_on_page(d)
    expected = dict(ctx.get("overview_counts", counts))
    if "overview_counts" in ctx:
        expected[owner] -= 1
        check(counts == expected, f"after resolving, owner cards show {counts}, expected {expected}")
    return f"resolved exception {ex_id} ({kind}, {owner}) with a note; it left the open list"


def step_api(ctx):
    base, token = ctx["base"], ctx["token"]
    status, headers, body = http(base, "/api/exceptions")
    check(status == 401, f"/api/exceptions without a token answered {status}, not 401")
    status, headers, body = http(base, "/api/exceptions", "wrong-" + token)
    check(status == 401, f"/api/exceptions with a wrong token answered {status}, not 401")
    status, headers, body = http(base, "/api/exceptions", token)
    check(status == 200, f"/api/exceptions with the token answered {status}")
    check("application/json" in (headers.get("Content-Type") or ""),
          f"/api/exceptions is {headers.get('Content-Type')}, not JSON")
    data = json.loads(body)
    check(isinstance(data, list) and data and "kind" in data[0], "/api/exceptions is not a list of exceptions")
    status, _, body = http(base, "/healthz")
    check(status == 200, f"/healthz answered {status}")
    status, _, body = http(base, "/readyz")
    check(status == 200, f"/readyz answered {status}")
    status, _, body = http(base, "/metrics")
    check(status == 401, f"/metrics without a token answered {status}, not 401")
    status, _, body = http(base, "/metrics", token)
    check(status == 200 and "concord_" in body, f"/metrics answered {status} without concord_ series")
    check("concord_exceptions_open" in body, "/metrics has no concord_exceptions_open gauge")
    status, headers, _ = http(base, "/exceptions")
    check(status in (302, 303, 307) and "/login" in (headers.get("Location") or ""),
          f"/exceptions without a session answered {status} {headers.get('Location')}, not a redirect to /login")
    return f"401 without token, JSON list of {len(data)} with it; /healthz, /readyz 200; /metrics has concord_"


def step_charts(ctx):
    d, base = ctx["driver"], ctx["base"]
    d.get(base + "/")
    wait(d, EC.presence_of_element_located((By.ID, "overview")), "the overview")
    d.find_element(By.CSS_SELECTOR, "header.top nav a[href='/charts']").click()
    wait(d, EC.presence_of_element_located((By.ID, "charts")), "the charts page")
    check(path_of(d) == "/charts", f"the Charts link led to {path_of(d)}")
    cards = d.find_elements(By.CSS_SELECTOR, "#charts section.chart-card")
    titles = [c.find_element(By.TAG_NAME, "h2").text.strip() for c in cards]
    check(len(cards) == 6, f"the charts page shows {len(cards)} charts, not 6: {titles}")
    drawn = {}
    for card, title in zip(cards, titles):
        svg = card.find_element(By.CSS_SELECTOR, "svg.chart")
        width = svg.rect["width"]
        check(width > 200, f"chart {title!r} is {width} px wide (invisible)")
        drawn[title] = len(svg.find_elements(By.CSS_SELECTOR, "rect[height]"))
        if not drawn[title]:
            check(svg.find_elements(By.CSS_SELECTOR, "text.empty"),
                  f"chart {title!r} draws neither bars nor its empty text")
    for title in ("Orders per hour", "Cin7 calls per minute"):
        check(drawn.get(title, 0) > 0, f"after the demo, {title!r} draws no bar ({drawn})")
    check(d.find_elements(By.CSS_SELECTOR, "#charts svg.chart line.limit"),
          "the Cin7 calls chart has no budget line")
    full_page_screenshot(d, os.path.join(ctx["out"], "charts.png"))
    return "charts: " + ", ".join(f"{t} ({n} shapes)" for t, n in drawn.items())


def step_screenshots(ctx):
    d, base = ctx["driver"], ctx["base"]
    # Fresh, settled shots of the two pages a person looks at first.
    d.get(base + "/")
    wait(d, EC.presence_of_element_located((By.ID, "overview")), "the overview")
    full_page_screenshot(d, os.path.join(ctx["out"], "overview.png"))
    d.get(base + "/exceptions")
    wait(d, EC.presence_of_element_located((By.ID, "inbox")), "the inbox")
    full_page_screenshot(d, os.path.join(ctx["out"], "inbox.png"))
    # One exception's page, opened from the inbox.
    links = d.find_elements(By.CSS_SELECTOR, "#inbox table.list tbody tr td:first-child a")
    if links:
        links[0].click()
        wait(d, EC.presence_of_element_located((By.ID, "exception")), "an exception's page")
        full_page_screenshot(d, os.path.join(ctx["out"], "exception.png"))
    shots = sorted(f for f in os.listdir(ctx["out"]) if f.endswith(".png"))
    for name in ("overview.png", "inbox.png"):
        check(name in shots, f"{name} is missing")
    problems = console_problems(d) + ctx.get("console", [])
    ctx["console"] = problems
    return "wrote " + ", ".join(os.path.join(ctx["out"], s) for s in shots)


def step_sign_out(ctx):
    d, base = ctx["driver"], ctx["base"]
    d.get(base + "/")
    wait(d, EC.presence_of_element_located((By.ID, "overview")), "the overview")
    d.find_element(By.CSS_SELECTOR, "header.top form.who button[type=submit]").click()
    wait(d, EC.presence_of_element_located((By.ID, "token")), "the login form after signing out")
    check(path_of(d).startswith("/login"), f"signing out landed on {path_of(d)}")
    check(
        not [c for c in d.get_cookies() if c["name"] == "concord_session"],
        "the session cookie is still there after signing out",
    )
    if "login" not in (d.execute_script("return document.body.className") or ""):
        warn(ctx, "sign out: the login page is swapped in by hx-boost without <body class=login>, "
                  "so it shows unstyled")
    d.get(base + "/exceptions")
    wait(d, lambda drv: login_form_shown(drv), "the login form when opening /exceptions signed out")

    status, headers, _ = http(base, "/exceptions?owner=finance")
    location = headers.get("Location") or ""
    if "owner" not in location:
        warn(ctx, f"login redirect drops the query string: /exceptions?owner=finance -> {location}")
    return "Sign out clears the session; pages ask for the token again"


def step_console(ctx):
    problems = ctx.get("console", []) + console_problems(ctx["driver"])
    check(not problems, "the browser logged: " + " | ".join(p[:200] for p in problems[:5]))
    return "no JavaScript errors, CSP violations or failed loads in the console"


STEPS = [
    ("login: / redirects to the form, wrong token refused, right token signs in", step_login),
    ("overview: each system's health and open exceptions by owner", step_overview),
    ("inbox: resolve an open exception with a note; it leaves the list", step_resolve),
    ("API and probes: 401 without token, JSON with; /healthz; /metrics", step_api),
    ("charts: six inline SVG charts from the navigation, with bars after the demo", step_charts),
    ("screenshots of the overview and the inbox", step_screenshots),
    ("sign out ends the session", step_sign_out),
    ("browser console is clean", step_console),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--token", required=True, help="the dashboard token")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".png"):
            os.remove(os.path.join(args.out, f))

    passed = failed = 0
    profile = tempfile.mkdtemp(prefix="concord-chromium-")
    driver = None
    try:
        try:
            driver = start_browser(args.chromium, args.chromedriver, profile)
        except Exception as e:
            print(f"FAIL browser: Chromium did not start: {e}", flush=True)
            print(f"0 passed, {len(STEPS)} failed", flush=True)
            return 1
        ctx = {"driver": driver, "base": args.base.rstrip("/"), "token": args.token, "out": args.out}
        for n, (title, fn) in enumerate(STEPS, 1):
            started = time.monotonic()
            ok = False
            try:
                summary = fn(ctx)
                ok = True
                passed += 1
                print(f"PASS step {n}: {title} ({time.monotonic() - started:.1f} s): {summary}", flush=True)
            except StepFailed as e:
                failed += 1
                print(f"FAIL step {n}: {title}: {e}", flush=True)
            except Exception as e:  # a selenium error, a KeyError...: still one failed step
                failed += 1
                print(f"FAIL step {n}: {title}: {type(e).__name__}: {e}", flush=True)
                traceback.print_exc(file=sys.stderr)
            if not ok:
                try:
                    driver.save_screenshot(os.path.join(args.out, f"failed-step-{n}.png"))
                except Exception:
                    pass
        for w in ctx.get("warnings", []):
            print(f"WARN ui: {w}", flush=True)
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
