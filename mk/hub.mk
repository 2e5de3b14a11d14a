# The course on a JupyterHub, one machine (deploy/; guide: docs/deploy.md). Run as root.
#   make hub-setup       uv into .venv, configurable-http-proxy from npm (build/hub/), and the
#                        servers' environment ($(HUB_VENV), reused while its inputs are unchanged)
#   make hub INSTRUCTOR=name
#                        hub-setup, the exchange, the instructor's course folder and gradebook,
#                        then the hub on http://127.0.0.1:8000/ (foreground; Ctrl-C stops it)
#   make test-hub        the hub tests: a whole round, 30 students at once, a browser login
#   make hub-clean       remove the servers' environment and the proxy (not the exchange, not
#                        the course folder: they hold the class's work)
HUB_VENV   ?= /opt/backprop-course/venv
INSTRUCTOR ?= $(BACKPROP_INSTRUCTOR)
HUB        := BACKPROP_HUB_VENV=$(HUB_VENV) $(BIN)/python deploy/hub.py

.PHONY: hub hub-setup test-hub hub-clean

hub-setup: $(STAMP)
	$(HUB) check
	$(HUB) proxy
	$(HUB) env

hub: hub-setup
	$(HUB) exchange --instructor "$(INSTRUCTOR)"
	$(HUB) course --instructor "$(INSTRUCTOR)"
	$(HUB) start --instructor "$(INSTRUCTOR)"

test-hub: hub-setup
	BACKPROP_HUB_VENV=$(HUB_VENV) $(BIN)/python -m pytest tests/test_hub.py -m "integration or browser" -s

hub-clean:
	rm -rf "$(HUB_VENV)" build/hub
