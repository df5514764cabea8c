"""Helpers for the browser tests: log in through the form, wait for what a person would see."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 15.0


def log_in(driver: WebDriver, url: str, username: str, password: str) -> None:
    driver.delete_all_cookies()
    driver.get(url + "/console/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "log-in").click()


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, WAIT).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_gone(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, WAIT).until_not(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_text(driver: WebDriver, css: str, text: str) -> None:
    WebDriverWait(driver, WAIT).until(expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
