"""Headless Chromium (Debian's package, driven through Debian's chromedriver by Selenium) against the real
gateway with every service running: the e2e `stack` fixture, one stack per test module.

The browser never skips: when Chromium or chromedriver is missing or does not start, the tests fail and say
what to install (`scripts/ensure-browser.sh` does it). Screenshots land in var/test-artifacts/browser/."""

import json
import os
import re
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import stack  # noqa: F401  (the same stack fixture as the e2e tests)

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "var" / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("PARTYDAY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PARTYDAY_CHROMEDRIVER", "/usr/bin/chromedriver")


class Page:
    """The browser as the tests use it: open pages, wait for what the user would see, act, take screenshots."""

    def __init__(self, driver, base_url: str):
        self.driver = driver
        self.base_url = base_url
        self.name = "page"
        self.shots = 0

    def go(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def revisit(self, path: str) -> None:
        """Open `path` afresh, reloading it when the browser is already there: going to the address the page
        has already, hash included, only scrolls to the hash and the page shows what it loaded before."""
        if self.driver.current_url == self.base_url + path:
            self.driver.refresh()
        else:
            self.go(path)

    def reset(self) -> None:
        """A fresh visitor on a desk screen: no session, default language, no queued scans, online."""
        self.online(True)
        self.desk()
        self.go("/static/icon.svg")
        self.driver.execute_script("localStorage.clear()")

    def wait(self, css: str, text: str | None = None, timeout: float = 20, visible: bool = True):
        """The first element matching `css` (and containing `text`), once it is there."""

        def found(driver):
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if (not visible or element.is_displayed()) and (text is None or text in element.text):
                        return element
                except StaleElementReferenceException:
                    continue
            return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(found)
        except TimeoutException:
            self.shot("timeout")
            shown = self.driver.find_element(By.TAG_NAME, "body").text[:2000]
            raise AssertionError(f"no {css!r} with {text!r} within {timeout}s; the page shows:\n{shown}") from None

    def wait_until(self, check, message: str, timeout: float = 20):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda driver: check())
        except TimeoutException:
            self.shot("timeout")
            raise AssertionError(f"{message} did not happen within {timeout}s") from None

    def all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, css: str, value: str) -> None:
        element = self.wait(css)
        element.clear()
        element.send_keys(value)

    def click(self, css: str, text: str | None = None) -> None:
        element = self.wait(css, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def start_over(self, path: str, phone: str, password: str) -> None:
        """A fresh visitor on a desk screen (see `reset`) who opens `path` and logs in there."""
        self.reset()
        self.go(path)
        self.login(phone, password)

    def login(self, phone: str, password: str) -> None:
        """Log in through the page's form; a login the busy shared machine let time out is tried again, as a user
        would, and any other refusal is left on the page for the test."""
        for _ in range(3):
            self.fill("input[name=phone]", phone)
            self.fill("input[name=password]", password)
            self.click("form.login button[type=submit]")
            self.wait_until(lambda: not self.all("form.login button[type=submit]:disabled"), "the login answered")
            busy = self.all("form.login .alert.error[data-code=SERVICE_TIMEOUT]")
            if not busy:
                return
        raise AssertionError("the login timed out three times")

    def phone(self) -> None:
        """A phone's screen, for the member pages."""
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
        )

    def desk(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def position(self, lat: float, lon: float, accuracy: float = 15) -> None:
        """Where the phone says it is (and the page may ask)."""
        self.driver.execute_cdp_cmd(
            "Browser.grantPermissions", {"origin": self.base_url, "permissions": ["geolocation"]}
        )
        self.driver.execute_cdp_cmd(
            "Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": accuracy}
        )

    def online(self, online: bool) -> None:
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": not online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        self.driver.save_screenshot(str(path))
        return path


def _start_chromium(download_dir: Path):
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(
            f"the browser tests need Debian's chromium and chromium-driver ({', '.join(missing)} missing): "
            "run scripts/ensure-browser.sh (apt-get install -y chromium chromium-driver)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1360,900",
        "--lang=zh-CN",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
    )
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as exc:
        pytest.fail(f"headless Chromium did not start ({CHROMIUM} through {CHROMEDRIVER}): {exc.msg}", pytrace=False)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


@pytest.fixture(scope="module")
def browser(stack, tmp_path_factory):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    downloads = tmp_path_factory.mktemp("downloads")
    driver = _start_chromium(downloads)
    page = Page(driver, stack.base_url)
    page.downloads = downloads
    try:
        yield page
    finally:
        driver.quit()


@pytest.fixture
def page(browser, request):
    """The browser for one test: a fresh visitor; a last screenshot and the console log kept whatever happens."""
    browser.name = request.node.name
    browser.shots = 0
    browser.reset()
    yield browser
    try:
        browser.shot("end")
        logs = browser.driver.get_log("browser")
        if logs:
            (ARTIFACTS / f"{request.node.name}-console.json").write_text(json.dumps(logs, ensure_ascii=False, indent=1))
    except WebDriverException:
        pass
