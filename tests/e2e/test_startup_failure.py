"""A data dir the app cannot open (here: a damaged database file) still opens a window that
says why, instead of a process that exits with a line on stderr nobody sees."""

import os
import time

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

from test_app import txt, wait

DATA = os.environ["HOOKSCOPE_DATA"]
GARBAGE = b"this is not an SQLite database\n" * 200


@pytest.fixture(scope="module")
def driver():
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "hookscope.sqlite"), "wb") as f:
        f.write(GARBAGE)
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote("http://127.0.0.1:4444", options=opts)
    yield d
    d.quit()


def test_a_damaged_database_is_explained_in_the_window_and_left_untouched(driver):
    shown = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=startup-failure]"))[0]
    text = txt(shown)
    assert "could not start" in text and DATA in text, text
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid=event-list]")
    time.sleep(1)  # WebKit's screenshot is the last painted frame: let the new view paint.
    driver.get_screenshot_as_file(os.path.join(os.environ["HOOKSCOPE_E2E_OUT"], "startup-failure.png"))
    with open(os.path.join(DATA, "hookscope.sqlite"), "rb") as f:
        assert f.read() == GARBAGE, "the damaged file is kept as it was"
