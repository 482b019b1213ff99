# The two commands of the README, and a few more for developers.
#   make run    installs what is missing, builds, and serves on 127.0.0.1:8000 (test mode, SQLite)
#   make test   installs what is missing, builds, and runs every test (also under ASan+UBSan),
#               and the end-to-end tests again on a PostgreSQL of their own (make test-pg)
#               the Debian package (make test-package), then each fuzz target for 30 s
#   make fuzz   each libFuzzer target (fuzz/) for FUZZ_SECONDS (default 300)
#   make soak   bench/soak: mixed load for SOAK_SECONDS (default 600), CSV + PNG in bench/out/

JOBS ?= $(shell nproc)
VERSION := $(shell sed -n 's/^project.paygate VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
# ccache hits across checkouts in different folders (CI clones anew each run).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CMAKE_FLAGS ?=
LISTEN ?= 127.0.0.1:8000
DATABASE ?= sqlite://./paygate.db
FUZZ_SECONDS ?= 300
# libstdc++ 12's std::expected needs clang 16 (Debian's clang-14 cannot compile it).
FUZZ_CXX ?= clang++-16
FUZZ_TARGETS := fuzz_http_request fuzz_json_bodies fuzz_instrument fuzz_config_text

.PHONY: run test deps build release deb test-package debug asan test-debug test-asan test-pg test-browser test-razorpay openapi-check fuzz-build fuzz test-fuzz soak bench bench-pg bench-pg-ceiling bench-streams bench-connections format clean

deps:
	@bash scripts/install-deps.sh

build/release/build.ninja:
	cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPAYGATE_TESTS=OFF $(CMAKE_FLAGS)
build/debug/build.ninja:
	cmake -S . -B build/debug -G Ninja -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
build/fuzz/build.ninja:
	CXX=$(FUZZ_CXX) cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPAYGATE_FUZZ=ON \
	  -DPAYGATE_TESTS=OFF -DPAYGATE_WERROR=OFF $(CMAKE_FLAGS)
build/asan/build.ninja:
	cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPAYGATE_SANITIZE=ON $(CMAKE_FLAGS)

release: deps build/release/build.ninja
	ninja -C build/release -j $(JOBS) paygate

# paygate_<version>_amd64.deb (cmake/package.cmake, packaging/) from the Release build.
deb: release
	ninja -C build/release -j $(JOBS) paygate_package_docs
	cd build/release && cpack -G DEB
# The package checked: lintian, its file list, both units (systemd-analyze),
# the unpacked binary serving, and (as root) install, upgrade and purge.
test-package: deb
	bash tests/package/run.sh build/release/paygate_$(VERSION)_amd64.deb
debug: deps build/debug/build.ninja
	ninja -C build/debug -j $(JOBS)
asan: deps build/asan/build.ninja
	ninja -C build/asan -j $(JOBS)

fuzz-build: deps build/fuzz/build.ninja
	ninja -C build/fuzz -j $(JOBS) $(FUZZ_TARGETS)
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh
# CI's smoke run: 30 s each, two at a time (1 minute; make fuzz for longer).
test-fuzz: fuzz-build
	FUZZ_SECONDS=30 bash fuzz/run.sh

soak: release
	ninja -C build/release -j $(JOBS) paygate_bench_receiver
	bash bench/soak

run: release
	./build/release/paygate serve --test-mode --listen $(LISTEN) --database $(DATABASE)

# The Debug run records every response the e2e tests see; openapi-check then
# validates them against openapi/paygate.yaml.
test-debug: debug
	rm -rf build/debug/e2e-responses && mkdir -p build/debug/e2e-responses
	cd build/debug && PAYGATE_E2E_RECORD_DIR=$(CURDIR)/build/debug/e2e-responses \
	  ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory openapi-check
openapi-check:
	bash scripts/npm-install.sh tests/openapi build/npm/openapi
	node tests/openapi/validate.mjs --modules build/npm/openapi/node_modules \
	  --spec build/debug/openapi.json --records build/debug/e2e-responses
test-asan: asan
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# The same e2e tests on PostgreSQL (Debug build only, to keep CI short).
test-pg: debug
	tests/pg/with-postgres.sh sh -c 'cd build/debug && ctest -L e2e --output-on-failure -j $(JOBS)'

# The checkout, checkout.js and dashboard in Debian's chromium (playwright-core
# from npm, pinned by tests/browser/package-lock.json), against the Debug binary.
test-browser: debug
	bash tests/browser/run.sh build/debug/paygate

# The official razorpay npm SDK (pinned by tests/razorpay/package-lock.json)
# against the Debug binary's Razorpay-compatible /v1 API.
test-razorpay: debug
	bash tests/razorpay/run.sh build/debug/paygate

test: test-debug test-pg test-asan test-browser test-razorpay test-package test-fuzz

bench: release
	ninja -C build/release -j $(JOBS) paygate_bench_receiver
	bash bench/run.sh
	bash bench/payments.sh
	bash bench/webhooks.sh
	bash bench/metrics.sh

# bench/run.sh's scenarios on a local PostgreSQL (default, durable settings).
bench-pg: release
	bash bench/run-pg.sh

# The same statements from pgbench, without paygate: PostgreSQL's own ceiling.
bench-pg-ceiling: release
	bash bench/pg-ceiling.sh

# 10,000 idle event streams on one server: the memory they hold, and POST
# /orders beside them against the same server without them.
bench-streams: release
	bash bench/streams.sh

# 1,000, 5,000 and 10,000 keep-alive connections polling a payment on one server.
bench-connections: release
	bash bench/connections.sh

format:
	find src tests bench -name '*.cpp' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
