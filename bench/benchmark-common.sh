# Shared by the benchmark scripts (sourced, not run): building what is missing, installing Debian's
# Prometheus packages, the class path. Expects to be sourced from the repository root.

command -v java >/dev/null || { echo "$bench_name: Java 17 or newer is needed" >&2; exit 1; }

# Builds into the worktree's target folders only (package, not install: ~/.m2 is shared), and sets
# job_jar to the shaded vigil-jobs jar.
bench_build() {
  job_jar=$(ls jobs/target/vigil-jobs-*.jar 2>/dev/null | grep -v original | head -n 1 || true)
  # A build of bench alone (-pl bench) records other engineers' ~/.m2 snapshots of our modules:
  # rebuild then too, so that generator, stack, job and notifier all come from this checkout.
  if [ ! -f bench/target/bench.classpath ] || [ -z "$job_jar" ] \
     || grep -q '/io/vigil/' bench/target/bench.classpath \
     || [ -n "$(find bench/src jobs/src connectors/src schemas/avro/src stack/src rules/src notifier/src -newer bench/target/bench.classpath \( -name '*.java' -o -name '*.avsc' -o -name '*.cql' -o -name '*.yaml' \) -print -quit)" ]; then
    echo "$bench_name: building (mvn package -DskipTests)..."
    mvn -q -B package -DskipTests
    job_jar=$(ls jobs/target/vigil-jobs-*.jar | grep -v original | head -n 1)
  fi
  classpath="bench/target/classes:$(cat bench/target/bench.classpath)"
}

# Prints the path of a binary, installing its Debian package first if it is missing. Only the
# binary is used: on a machine with systemd the package enables its service, which the benchmarks
# never talk to (they run their own instance on a free port).
bench_binary() {
  local binary="$1" package="$2" path
  path=$(command -v "$binary" || true)
  if [ -z "$path" ]; then
    echo "$bench_name: installing Debian's $package package (the binary only is used)" >&2
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2
    # Without recommends: no node exporter.
    $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null
    path=$(command -v "$binary")
  fi
  echo "$path"
}
