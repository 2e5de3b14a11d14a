# nbgrader configuration of an instructor on the course hub (written by the hub before each start).
# Template: deploy/nbgrader/instructor_nbgrader_config.py; the dollar placeholders are filled in by
# deploy/jupyterhub_config.py. Editing this copy is pointless: it is rewritten at every start.
#
# The formgrader reads nbgrader_config.py from the server's working folder (the home folder), not
# from the course folder: this file loads the course's own configuration (course id, layout,
# gradebook, grading sandbox), so that the formgrader, the Assignment List and `nbgrader` run
# anywhere under the home folder all see the same course.
c = get_config()  # noqa: F821
load_subconfig("$course_dir/nbgrader_config.py")  # noqa: F821
c.CourseDirectory.course_id = "$course_id"
c.Exchange.root = "$exchange"
