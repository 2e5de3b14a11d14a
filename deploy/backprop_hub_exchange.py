"""nbgrader exchange plugin for a shared server: submissions readable only by their owner and the
instructor, and always under the submitting account's own name.

nbgrader's stock ``submit`` leaves every submitted file world-readable (0644) in a world-writable
folder (0777) and relies on the inbound folder not being listable (0733) and on a random suffix in
the folder's name. Anyone who learns the name (a shared terminal, a ``ps`` listing, a log) can read
another student's work, and ``--student`` lets one account submit under another student's id.

``OwnerOnlySubmit`` submits as nbgrader does, then

* ignores ``--student``/``CourseDirectory.student_id``: the id is the account's name, so a
  student cannot hand in work as somebody else;
* creates the submission so that only the student and the instructor can read it: folders 0770,
  files 0640, all in the group of the inbound folder. That folder is set-group-id and belongs to the
  instructor's group (``deploy/hub.py exchange`` sets it up), so whatever is created in it gets
  that group; nbgrader's copy would copy the folder's own mode over it (dropping the
  set-group-id bit, after which ``timestamp.txt`` would get the student's group), so folders are
  made and files copied here without copying modes.

Enabled in each student's ``~/.jupyter/nbgrader_config.py`` (written by the hub's pre-spawn hook)::

    c.ExchangeFactory.submit = "backprop_hub_exchange.OwnerOnlySubmit"

The module is copied into the site-packages of the environment the servers run in.
"""

from __future__ import annotations

import os
import shutil

from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import get_username, ignore_patterns

FILE_MODE = 0o640
DIR_MODE = 0o770


class OwnerOnlySubmit(ExchangeSubmit):
    """``nbgrader submit`` whose result only its owner and the inbound folder's group can read."""

    def init_dest(self):
        self.coursedir.student_id = "*"  # the account's own name, whatever the configuration says
        super().init_dest()
        if not self.assignment_filename.startswith(get_username() + "+"):
            self.fail("refusing to submit under another name than the account's")

    def do_copy(self, src, dest, log=None):
        """Copy as nbgrader does (same ignore rules and size limits), but make folders and copy
        file contents only: new folders keep the group and set-group-id bit they inherit."""
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big. Size is {size}, maximum size is "
                               f"{1000 * self.coursedir.max_dir_size}")
        ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                 max_file_size=self.coursedir.max_file_size, log=self.log)
        self._copy_contents(src, dest, ignore)

    def _copy_contents(self, src, dest, ignore):
        os.mkdir(dest)
        names = os.listdir(src)
        skipped = ignore(src, names)
        for name in names:
            source, target = os.path.join(src, name), os.path.join(dest, name)
            if name in skipped or os.path.islink(source):
                continue
            if os.path.isdir(source):
                self._copy_contents(source, target, ignore)
            elif os.path.isfile(source):
                shutil.copyfile(source, target)

    def set_perms(self, dest, fileperms, dirperms):
        super().set_perms(dest, FILE_MODE, DIR_MODE)

    def copy_files(self):
        old = os.umask(0o027)  # nothing readable by others, even for a moment
        try:
            super().copy_files()
        finally:
            os.umask(old)
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        # nbgrader ends with chmod 0777 of the folder ("so the instructor can delete it")
        super().set_perms(dest, FILE_MODE, DIR_MODE)
        self.log.info("Submission readable by its owner and the instructor only: %s", dest)
