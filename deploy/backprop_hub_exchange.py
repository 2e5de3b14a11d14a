"""nbgrader exchange plugin for a shared server: submissions readable only by their owner and the
instructor, and always under the submitting account's own name.

nbgrader's stock ``submit`` leaves every submitted file world-readable (0644) in a world-writable
folder (0777) and relies on the inbound folder not being listable (0733) and on a random suffix in
the folder's name. Anyone who learns the name (a shared terminal, a ``ps`` listing, a log) can read
another student's work, and ``--student`` lets one account submit under another student's id.

``OwnerOnlySubmit`` submits as nbgrader does, then

* ignores ``--student``/``CourseDirectory.student_id``: the id is the account's name, so a
  student cannot hand in work as somebody else;
* makes the submission folder 2770 and its files 0640. The inbound folder is set-group-id and
  belongs to the instructor's group (``deploy/hub.py exchange`` sets it up), so the submission
  belongs to that group: the student and the instructor can read it, other students cannot.

Enabled in each student's ``~/.jupyter/nbgrader_config.py`` (written by the hub's pre-spawn hook)::

    c.ExchangeFactory.submit = "backprop_hub_exchange.OwnerOnlySubmit"

The module is copied into the site-packages of the environment the servers run in.
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_username

FILE_MODE = 0o640
DIR_MODE = 0o2770


class OwnerOnlySubmit(ExchangeSubmit):
    """``nbgrader submit`` whose result only its owner and the inbound folder's group can read."""

    def init_dest(self):
        self.coursedir.student_id = "*"  # the account's own name, whatever the configuration says
        super().init_dest()
        if not self.assignment_filename.startswith(get_username() + "+"):
            self.fail("refusing to submit under another name than the account's")

    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        for folder, _dirs, files in os.walk(dest):
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)
            os.chmod(folder, DIR_MODE)
        self.log.info("Submission readable by its owner and the instructor only: %s", dest)
