#!/usr/bin/env bash
# A tailq built without its MPI part, started by mpirun with two processes (OpenMPI's environment
# says so), refuses in one line and status 2 on rank 0 and silently, status 0, on the others (so
# that mpirun lets rank 0 say why), and writes no trace: never two processes writing one file.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: mpi_absent_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
run=(run --workload sleep --instances 5 --sleep-dist const:1ms --max-rounds 3 -o out.trace)
expect_error "rank 0 without the MPI part" "built without its MPI part" \
  env OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 "$TAILQ" "${run[@]}"
OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1 "$TAILQ" "${run[@]}" >out.txt 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -s out.txt ] && [ ! -e out.trace ] && ok || bad "rank 1: rc $rc: $(cat out.txt)"
# A job of one is no job: the plain run.
OMPI_COMM_WORLD_SIZE=1 OMPI_COMM_WORLD_RANK=0 "$TAILQ" "${run[@]}" --quiet >/dev/null 2>&1 &&
  [ -e out.trace ] && ok || bad "a job of one process"
finish
