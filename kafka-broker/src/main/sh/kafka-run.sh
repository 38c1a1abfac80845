#!/usr/bin/env bash
# kafka-run.sh: runs one Apache Kafka broker (KRaft) configured the way the apache/kafka image is,
# from KAFKA_* environment variables, so one compose file fits both images. Used as the broker
# image's entrypoint and by scripts/demo-stack.sh for the embedded stack.
#
#   KAFKA_NODE_ID=1  -> node.id=1      (prefix dropped, lower-cased; _ -> .  __ -> _  ___ -> -)
#   KAFKA_LOG_DIRS                     data directory, default /var/lib/kafka/data; formatted on first
#                                      start (meta.properties absent), kept on every later start
#   CLUSTER_ID                         the KRaft cluster id used to format (default: a fixed id)
#   KAFKA_HEAP_OPTS, KAFKA_OPTS        JVM options, not broker properties
#   KAFKA_LIBS                         the jar folder (default: ../libs next to this script)
#   KAFKA_CONFIG_FILE                  where server.properties is written (default: ../config/)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
libs=${KAFKA_LIBS:-$here/../libs}
config=${KAFKA_CONFIG_FILE:-$here/../config/server.properties}
: "${KAFKA_LOG_DIRS:=/var/lib/kafka/data}"
export KAFKA_LOG_DIRS
# apache/kafka's default single-node cluster id; any 22-character base64 id works.
cluster_id=${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}

if [[ ! -d $libs ]]; then
  echo "kafka-run: no jar folder at $libs (build it: ./mvnw -pl kafka-broker package)" >&2
  exit 1
fi
for required in KAFKA_NODE_ID KAFKA_PROCESS_ROLES KAFKA_LISTENERS KAFKA_CONTROLLER_LISTENER_NAMES \
                KAFKA_CONTROLLER_QUORUM_VOTERS; do
  [[ -n ${!required:-} ]] || { echo "kafka-run: $required is not set" >&2; exit 1; }
done

mkdir -p "$(dirname "$config")" "$KAFKA_LOG_DIRS"
tmp="$config.tmp"
: >"$tmp"
while IFS='=' read -r name value; do
  case $name in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_LIBS | KAFKA_CONFIG_FILE | KAFKA_JVM_* | KAFKA_LOG4J_*) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >>"$tmp"
done < <(env | grep '^KAFKA_' | sort)
mv "$tmp" "$config"

java=${JAVA:-java}
# KAFKA_HEAP_OPTS and KAFKA_OPTS are lists of options, separated by spaces
read -ra heap_opts <<<"${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
read -ra kafka_opts <<<"${KAFKA_OPTS:-}"
jvm=("${heap_opts[@]}" "${kafka_opts[@]}"
     "-Dlog4j2.configurationFile=${KAFKA_LOG4J_CONFIG:-$here/../config/log4j2.properties}"
     -cp "$libs/*")

if [[ ! -f $KAFKA_LOG_DIRS/meta.properties ]]; then
  echo "kafka-run: formatting $KAFKA_LOG_DIRS (cluster $cluster_id)"
  "$java" "${jvm[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$config"
fi
exec "$java" "${jvm[@]}" kafka.Kafka "$config"
