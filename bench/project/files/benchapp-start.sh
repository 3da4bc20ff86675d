#!/bin/sh
# Starts benchapp with its configuration (never started by the benchmark).
exec /usr/bin/env benchapp --config /etc/benchapp/benchapp.conf "$@"
