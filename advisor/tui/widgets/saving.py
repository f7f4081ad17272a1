"""Saving a profile from any screen, with the outcome shown to the user."""

from pathlib import Path
from typing import Any

from textual.screen import Screen

from advisor.errors import InputError
from advisor.profiles.profile import Profile, save_profile


def save_with_feedback(screen: Screen[Any], profile: Profile, path: Path) -> bool:
    """Save (the dialog already confirmed any overwrite); report success or the reason."""
    from advisor.tui.dialogs import ErrorDialog

    try:
        saved = save_profile(profile, path, force=True)
    except (InputError, OSError) as exc:
        screen.app.push_screen(ErrorDialog("The profile was not saved", str(exc)))
        return False
    screen.notify(f"saved {saved}", title="Profile saved")
    return True
