# Shortcuts for the scripts; the README's two commands are scripts/dev.sh and scripts/test.sh.
.PHONY: dev test build stack-start stack-stop lint

dev:
	scripts/dev.sh

test:
	scripts/test.sh

build:
	swift build --build-tests

stack-start:
	scripts/stack.sh start

stack-stop:
	scripts/stack.sh stop

lint:
	shellcheck scripts/*.sh scripts/tests/*.sh .ci/run
