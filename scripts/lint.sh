#!/usr/bin/env bash
# `npm run lint`: ESLint (type-aware, the slow part), Prettier and knip side by side, each failing the
# whole run. ESLint and Prettier keep caches under node_modules/.cache, so a second run reads only
# the files that changed.
set -u
eslint --cache --cache-location node_modules/.cache/eslint/ . &
eslint_pid=$!
prettier --check --cache --cache-location node_modules/.cache/prettier/.prettier-cache --log-level warn . &
prettier_pid=$!
knip &
knip_pid=$!
status=0
for pid in "$eslint_pid" "$prettier_pid" "$knip_pid"; do wait "$pid" || status=1; done
exit "$status"
