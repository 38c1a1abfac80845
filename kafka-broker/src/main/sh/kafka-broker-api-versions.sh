#!/usr/bin/env bash
# The apache/kafka image's health check command, for this image: lists the broker's API versions.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${JAVA:-java}" -Xmx128m -cp "${KAFKA_LIBS:-$here/../libs}/*" \
  "-Dlog4j2.configurationFile=${KAFKA_LOG4J_CONFIG:-$here/../config/log4j2.properties}" \
  org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
