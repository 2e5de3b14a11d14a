# nbgrader configuration of a student on the course hub (written by the hub before each start).
# Template: deploy/nbgrader/student_nbgrader_config.py; the dollar placeholders are filled in by
# deploy/jupyterhub_config.py. Editing this copy is pointless: it is rewritten at every start.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "$course_id"
c.Exchange.root = "$exchange"
# Submissions readable only by the student and the instructor, under the account's own name.
c.ExchangeFactory.submit = "backprop_hub_exchange.OwnerOnlySubmit"
