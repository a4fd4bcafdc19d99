"""End to end on the real app window: WebDriver (tauri-driver + WebKitWebDriver) drives the
built binary while a real HTTP client posts webhooks to its capture server."""

import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

CAPTURE = "http://" + os.environ["HOOKSCOPE_LISTEN"]
OUT = os.environ["HOOKSCOPE_E2E_OUT"]
# HMAC-SHA256(key="key", message="hello"), as published in many HMAC test vectors.
KNOWN_HMAC = "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b"


def txt(el):
    """Rendered text. NOTE: WebKitWebDriver's element text skips text in `overflow: hidden`
    cells, so read innerText instead."""
    return el.get_property("innerText") or ""


def post(path, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(CAPTURE + path, data=data, method="POST")
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=5) as res:
        assert res.status == 200


@pytest.fixture(scope="module")
def driver():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote(os.environ["HOOKSCOPE_WEBDRIVER"], options=opts)
    d.implicitly_wait(0)
    yield d
    d.quit()


def wait(driver, cond, timeout=10, what="condition"):
    # The UI re-renders reactively: an element found a moment ago may be replaced; look again.
    ignored = (StaleElementReferenceException, NoSuchElementException)
    return WebDriverWait(driver, timeout, poll_frequency=0.05, ignored_exceptions=ignored).until(
        lambda d: cond(d), what
    )


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "[data-testid=event-list] .row.event")


def row_with(driver, text):
    def find(d):
        for r in rows(d):
            if text in txt(r):
                return r
        return False

    return wait(driver, find, what=f"a row with {text!r}")


def test_window_opens_listening_with_the_empty_state(driver):
    url = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-url]"))
    assert CAPTURE in txt(url[0])
    empty = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=empty-state]"))
    assert "curl -X POST" in txt(empty[0]) and CAPTURE in txt(empty[0])


def test_posted_requests_appear_live_in_the_list(driver):
    post("/stripe-demo/hook", {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "amount": 2000, "nested": {"a": [1, 2, 3]}}}})
    post("/default/orders", {"order": "needle-4711", "items": [{"sku": "A"}]})
    row = row_with(driver, "/default/orders")
    assert "POST" in txt(row)
    assert row_with(driver, "/stripe-demo/hook")


def test_detail_renders_json_with_folding(driver):
    row_with(driver, "/stripe-demo/hook").click()
    title = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=detail-title]"))
    assert "/stripe-demo/hook" in txt(title[0])
    editor = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=body-view] .cm-editor"))[0]
    wait(driver, lambda d: "payment_intent.succeeded" in txt(editor), what="JSON in the editor")
    # Syntax highlighting: the JSON parser produced styled tokens.
    assert driver.execute_script("return document.querySelectorAll('.cm-content span[class]').length") > 0
    markers = editor.find_elements(By.CSS_SELECTOR, ".cm-foldGutter .cm-gutterElement span[title]")
    assert markers, "fold markers in the gutter"
    lines_before = len(editor.find_elements(By.CSS_SELECTOR, ".cm-line"))
    # NOTE: CodeMirror redraws its gutter after measuring, so WebDriver's element click races it;
    # click at the marker's position from inside the page instead.
    driver.execute_script(
        "const m = document.querySelector('.cm-foldGutter .cm-gutterElement span[title]');"
        "const r = m.getBoundingClientRect();"
        "m.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));"
    )
    wait(driver, lambda d: editor.find_elements(By.CSS_SELECTOR, ".cm-foldPlaceholder"), what="a folded range")
    assert len(editor.find_elements(By.CSS_SELECTOR, ".cm-line")) < lines_before
    driver.find_element(By.CSS_SELECTOR, "[data-testid=tab-headers]").click()
    assert "content-type" in txt(driver.find_element(By.CSS_SELECTOR, "table[aria-label=Headers]"))


def test_keyboard_navigation_moves_the_selection(driver):
    lst = driver.find_element(By.CSS_SELECTOR, "[data-testid=event-list]")
    lst.click()
    lst.send_keys("k")
    selected = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".row.event.selected"))
    assert "/default/orders" in txt(selected[0])
    lst.send_keys(Keys.ARROW_DOWN)
    wait(driver, lambda d: "/stripe-demo/hook" in txt(d.find_element(By.CSS_SELECTOR, ".row.event.selected")))


def test_search_narrows_the_list(driver):
    driver.find_element(By.TAG_NAME, "body").send_keys("/")
    box = driver.find_element(By.CSS_SELECTOR, "[data-testid=search]")
    assert driver.switch_to.active_element == box, "/ focuses the search"
    box.send_keys("needle-4711")
    wait(driver, lambda d: len(rows(d)) == 1 and "/default/orders" in txt(rows(d)[0]), what="one match")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    wait(driver, lambda d: len(rows(d)) >= 2, what="all events back")


def test_hmac_workbench_computes_and_compares(driver):
    driver.find_element(By.CSS_SELECTOR, "[data-testid=workbench-button]").click()
    use_event = driver.find_elements(By.CSS_SELECTOR, "[data-testid=hmac-use-event]")
    if use_event and use_event[0].is_selected():
        use_event[0].click()
    driver.find_element(By.CSS_SELECTOR, "[data-testid=hmac-message]").send_keys("hello")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=hmac-key]").send_keys("key")
    wait(driver, lambda d: txt(d.find_element(By.CSS_SELECTOR, "[data-testid=hmac-digest]")) == KNOWN_HMAC, what="the known digest")
    compare = driver.find_element(By.CSS_SELECTOR, "[data-testid=hmac-compare]")
    compare.send_keys(KNOWN_HMAC)
    wait(driver, lambda d: txt(d.find_element(By.CSS_SELECTOR, "[data-testid=hmac-verdict]")) == "match", what="match")
    compare.send_keys("0")
    wait(driver, lambda d: txt(d.find_element(By.CSS_SELECTOR, "[data-testid=hmac-verdict]")) == "mismatch", what="mismatch")
    driver.find_element(By.CSS_SELECTOR, "[aria-label='Close workbench']").click()


def test_hostile_payloads_render_as_text_and_nothing_executes(driver):
    img = '<img src=x onerror="window.__pwned=1">'
    script = "<script>window.__pwned=2</script>"
    link = '<a href="javascript:window.__pwned=3">click</a>'
    path = "/default/" + urllib.parse.quote(img, safe="")
    post(path, {"img": img, "script": script, "link": link, "href": "javascript:window.__pwned=4"}, {"X-Evil": img})
    # The path is shown as sent (percent-encoded); body and headers carry the raw markup.
    row_with(driver, "onerror").click()
    editor = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=body-view] .cm-editor"))[0]
    wait(driver, lambda d: "<script>" in txt(editor), what="payload as text in the body view")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=tab-headers]").click()
    assert img in txt(driver.find_element(By.CSS_SELECTOR, "table[aria-label=Headers]"))
    time.sleep(0.5)
    found = driver.execute_script(
        "return {pwned: window.__pwned ?? null, imgs: document.querySelectorAll('img').length,"
        " scripts: Array.from(document.scripts).filter(s => !s.src).length,"
        " links: document.querySelectorAll('a[href^=\"javascript:\"]').length}"
    )
    assert found == {"pwned": None, "imgs": 0, "scripts": 0, "links": 0}


def test_screenshot_and_notifications(driver):
    driver.find_element(By.CSS_SELECTOR, "[data-testid=tab-body]").click()
    row_with(driver, "/stripe-demo/hook").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=body-view] .cm-editor"))
    time.sleep(0.3)
    driver.get_screenshot_as_file(os.path.join(OUT, "window.png"))
    subprocess.run(["import", "-window", "root", os.path.join(OUT, "screen.png")], check=False)

    log = os.environ["HOOKSCOPE_DBUS_LOG"]
    count = lambda: len(re.findall(r"member=Notify\b", open(log).read()))
    deadline = time.time() + 5
    while count() == 0 and time.time() < deadline:
        time.sleep(0.1)
    assert count() >= 1, "captured requests produce a Notify call"
    assert 'string "POST /stripe-demo/hook' in open(log).read() or 'string "POST /default/orders' in open(log).read()
    time.sleep(2.5)  # let the earlier burst close
    before = count()
    for i in range(50):
        post(f"/default/burst/{i}", {"n": i})
    time.sleep(3)
    burst = count() - before
    assert 1 <= burst <= 4, f"a burst of 50 gave {burst} notifications"
    assert re.search(r'string "\d+ new events on default"', open(log).read())
