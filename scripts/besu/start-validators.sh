#!/usr/bin/env bash
# Starts a four-validator Besu QBFT network on one machine for trying medtrace on
# Besu (needs the `besu` binary on PATH; not run by the test suite — Besu cannot be
# downloaded on the project's build machines). Files go to ${BESU_DIR:-.medtrace/besu}.
# Validator 1 serves JSON-RPC on 8545, validators 2-4 on 8546-8548. Ctrl-C stops all.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${BESU_DIR:-.medtrace/besu}"
command -v besu >/dev/null || { echo "besu is not on PATH (https://besu.hyperledger.org)" >&2; exit 2; }

if [ ! -f "$dir/networkFiles/genesis.json" ]; then
  mkdir -p "$dir"
  besu operator generate-blockchain-config --config-file="$here/qbftConfigFile.json" --to="$dir/networkFiles" --private-key-file-name=key
fi

keys=("$dir"/networkFiles/keys/*)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
bootnode=""
for i in 0 1 2 3; do
  n=$((i + 1))
  data="$dir/validator$n"
  mkdir -p "$data"
  args=(
    --config-file="$here/validator.toml"
    --data-path="$data"
    --genesis-file="$dir/networkFiles/genesis.json"
    --node-private-key-file="${keys[$i]}/key"
    --p2p-port=$((30303 + i))
    --rpc-http-port=$((8545 + i))
    --metrics-port=$((9545 + i))
  )
  if [ -n "$bootnode" ]; then args+=(--bootnodes="$bootnode"); fi
  besu "${args[@]}" >"$data/besu.log" 2>&1 &
  pids+=($!)
  if [ -z "$bootnode" ]; then
    pub="$(cat "${keys[0]}/key.pub")"
    bootnode="enode://${pub#0x}@127.0.0.1:30303"
    sleep 5
  fi
  echo "validator$n: JSON-RPC http://127.0.0.1:$((8545 + i)), log $data/besu.log"
done
echo "QBFT network starting; deploy with: npx medtrace chain --deploy-only --rpc http://127.0.0.1:8545 --governor-keystore <file> --dir .medtrace/besu-deploy"
wait
