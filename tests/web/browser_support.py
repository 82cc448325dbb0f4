"""Browser helpers: sign in through the form, tab to an element, check labels."""

from __future__ import annotations

from typing import Any

from tests.web.web_support import Site

# Every visible form control must have a <label>, aria-label or aria-labelledby.
UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id || el.outerHTML.slice(0, 60))
"""


def sign_in(browser: Any, site: Site, user: str) -> Any:
    """A new page in its own context, signed in as `user` through the log-in form."""
    context = browser.new_context(base_url=site.base_url, locale="nl-NL")
    page = context.new_page()
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Persoonlijk token").fill(site.tokens[user])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    return page


def unlabelled(page: Any) -> list[str]:
    """Form controls on the page without an accessible label."""
    found: list[str] = page.evaluate(UNLABELLED_JS)
    return found


FOCUSED_JS = """
() => { const el = document.activeElement;
  return [el.id || '', (el.innerText || el.value || '').trim()]; }
"""


def tab_to(page: Any, *, element_id: str = "", text: str = "", limit: int = 200) -> None:
    """Press Tab until the focused element has this id, or its text contains `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused_id, focused_text = page.evaluate(FOCUSED_JS)
        if (element_id and focused_id == element_id) or (text and text in focused_text):
            return
    raise AssertionError(f"Tab never reached {element_id or text!r}")


def board_free(page: Any, key: str) -> int:
    """The 'nu vrij' count of one board row (care form|municipality|age band)."""
    cell = page.locator(f'#bord tr[data-cel="{key}"] td[data-veld="vrij"]')
    return int(cell.inner_text())
