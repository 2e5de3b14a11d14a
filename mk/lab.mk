# JupyterLab on the course, for students and instructors alike:
#   make lab [PORT=8888] [LAB_START=lectures/01_chain_rule.ipynb]
# Listens on 127.0.0.1 only and opens on lecture 1. JupyterLab prints the URL with its login
# token; JUPYTER_TOKEN=... in the environment fixes the token instead. Before it starts:
# - the nbgrader exchange folder is created ($BACKPROP_EXCHANGE, else .exchange/, as
#   nbgrader_config.py reads it): the Assignment List fails without it;
# - as root (user id 0, e.g. in a container) JupyterLab needs --allow-root: given then only, and
#   said so.
# No news pop-up and no "Select Kernel" dialog: mk/jupyterlab-overrides.json becomes the
# environment's share/jupyter/lab/settings/overrides.json at set-up.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
LAB_START    ?= lectures/01_chain_rule.ipynb
LAB_AS_ROOT   = $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab

setup: $(LAB_SETTINGS)

$(LAB_SETTINGS): mk/jupyterlab-overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp mk/jupyterlab-overrides.json $@

lab: $(STAMP) $(LAB_SETTINGS)
	@mkdir -p "$${BACKPROP_EXCHANGE:-.exchange}"
	@$(if $(LAB_AS_ROOT),echo "make lab: running as root (user id 0): starting JupyterLab with --allow-root")
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab --no-browser \
	  --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/$(LAB_START) --LabApp.news_url=None $(LAB_AS_ROOT)
