"""The window opens even when the capture port is taken, says why, and listens elsewhere when
asked. run.sh holds HOOKSCOPE_LISTEN's port before starting the app for this module."""

import os
import socket
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.options import ArgOptions

from test_app import row_with, txt, wait


@pytest.fixture(scope="module")
def driver():
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": os.environ["HOOKSCOPE_APP"]})
    d = webdriver.Remote(os.environ["HOOKSCOPE_WEBDRIVER"], options=opts)
    yield d
    d.quit()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_is_explained_and_another_one_works(driver):
    taken = os.environ["HOOKSCOPE_LISTEN"]
    banner = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-error]"))[0]
    assert "already in use" in txt(banner) and taken in txt(banner)
    other = f"127.0.0.1:{free_port()}"
    box = driver.find_element(By.CSS_SELECTOR, "[data-testid=other-port]")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(other)
    box.send_keys(Keys.ENTER)
    url = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=capture-url]"))[0]
    assert other in txt(url)
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid=capture-error]")
    req = urllib.request.Request(f"http://{other}/default/after-rebind", data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=5) as res:
        assert res.status == 200
    assert row_with(driver, "/default/after-rebind")
    driver.get_screenshot_as_file(os.path.join(os.environ["HOOKSCOPE_E2E_OUT"], "rebound.png"))
