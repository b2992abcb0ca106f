# Sourced by the bench scripts that scan 127.0.0.1 beyond their own ports: a scratch directory ($work) and the name of
# a network namespace of their own ($ns, which the script creates when it needs it). On exit both go, with any process
# left inside the namespace.
#   . "$here/bench/scratch.sh" NAME-PREFIX     (here: the repository root)
work=$(mktemp -d)
ns=$1-$$
cleanup() {
  if ip netns list | grep -qw "$ns"; then
    for p in $(ip netns pids "$ns"); do kill "$p" 2>/dev/null || true; done
    ip netns del "$ns"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
