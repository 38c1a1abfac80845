{{/* Names: <release>-imagefarm unless the release is already called so. */}}
{{- define "imagefarm.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "imagefarm.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: imagefarm
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "hasher-service"). */}}
{{- define "imagefarm.selector" -}}
app.kubernetes.io/name: {{ .ctx.Chart.Name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "imagefarm.image" -}}
{{- printf "%s/%s:%s" .ctx.Values.image.repositoryPrefix .name (default .ctx.Chart.AppVersion .ctx.Values.image.tag) -}}
{{- end -}}

{{- define "imagefarm.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "imagefarm.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret with the services' secrets (existing or created). */}}
{{- define "imagefarm.secretName" -}}
{{- default (printf "%s-secrets" (include "imagefarm.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "imagefarm.signingSecretName" -}}
{{- default (printf "%s-signing" (include "imagefarm.fullname" .)) .Values.signing.existingSecret -}}
{{- end -}}

{{- define "imagefarm.kafkaSaslSecretName" -}}
{{- default (printf "%s-kafka-sasl" (include "imagefarm.fullname" .)) .Values.kafka.sasl.existingSecret -}}
{{- end -}}

{{/* Where the secret files are mounted in every service container. */}}
{{- define "imagefarm.secretsDir" -}}/etc/imagefarm/secrets{{- end -}}
{{- define "imagefarm.signingDir" -}}/etc/imagefarm/signing{{- end -}}
{{- define "imagefarm.kafkaSaslDir" -}}/etc/imagefarm/kafka-sasl{{- end -}}
{{- define "imagefarm.kafkaCaDir" -}}/etc/imagefarm/kafka-ca{{- end -}}

{{/*
A registry host as the env var segment of imagefarm.registry.credentials."<host>".*: upper case, with
_ for . : and - (ghcr.io -> GHCR_IO).
*/}}
{{- define "imagefarm.registryEnvKey" -}}
{{- .Values.registry.host | replace "." "_" | replace ":" "_" | replace "-" "_" | upper -}}
{{- end -}}

{{/*
Kafka client settings of every service, as Quarkus maps KAFKA_* env vars onto kafka.* (the
default-kafka-broker configuration every channel and client of the services uses). Secrets stay
files: the SASL password reaches the JAAS config through Kafka's DirectoryConfigProvider, from the
mounted Secret; "$${" keeps SmallRye Config from expanding the reference itself.
*/}}
{{- define "imagefarm.kafkaEnv" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
{{- $tls := .Values.kafka.tls.enabled }}
{{- $sasl := .Values.kafka.sasl.mechanism }}
{{- if or $tls $sasl }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ if and $tls $sasl }}SASL_SSL{{ else if $tls }}SSL{{ else }}SASL_PLAINTEXT{{ end }}
{{- end }}
{{- if and $tls .Values.kafka.tls.caSecret.name }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ printf "%s/%s" (include "imagefarm.kafkaCaDir" .) .Values.kafka.tls.caSecret.key | quote }}
{{- end }}
{{- if $sasl }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $sasl | quote }}
- name: KAFKA_CONFIG_PROVIDERS
  value: dir
- name: KAFKA_CONFIG_PROVIDERS_DIR_CLASS
  value: org.apache.kafka.common.config.provider.DirectoryConfigProvider
- name: KAFKA_SASL_JAAS_CONFIG
  {{- $module := ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $sasl "PLAIN") }}
  {{- $dir := include "imagefarm.kafkaSaslDir" . }}
  value: {{ printf "%s required username=\"$${dir:%s:username}\" password=\"$${dir:%s:password}\";" $module $dir $dir | quote }}
{{- end }}
{{- end -}}

{{- define "imagefarm.kafkaVolumeMounts" -}}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  mountPath: {{ include "imagefarm.kafkaSaslDir" . }}
  readOnly: true
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: {{ include "imagefarm.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "imagefarm.kafkaVolumes" -}}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  secret:
    secretName: {{ include "imagefarm.kafkaSaslSecretName" . }}
    defaultMode: 0440
    items:
      - {key: username, path: username}
      - {key: password, path: password}
{{- end }}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret.name }}
    defaultMode: 0444
    items:
      - {key: {{ .Values.kafka.tls.caSecret.key }}, path: {{ .Values.kafka.tls.caSecret.key }}}
{{- end }}
{{- end -}}

{{/* Registry credentials, the same keys in every service (imagefarm.registry.credentials."<host>".*). */}}
{{- define "imagefarm.registryEnv" -}}
{{- $key := include "imagefarm.registryEnvKey" . }}
- name: IMAGEFARM_REGISTRY_CREDENTIALS__{{ $key }}__USERNAME
  value: {{ .Values.registry.username | quote }}
- name: IMAGEFARM_REGISTRY_CREDENTIALS__{{ $key }}__PASSWORD_FILE
  value: {{ include "imagefarm.secretsDir" . }}/registry-password
{{- end -}}

{{/* Static API tokens: the digest as a file, role and repositories as plain config. */}}
{{- define "imagefarm.apiTokenEnv" -}}
{{- range $name, $token := .Values.apiTokens }}
- name: IMAGEFARM_AUTH_API_TOKENS__{{ upper $name }}__SHA256_FILE
  value: {{ printf "%s/api-token-%s-sha256" (include "imagefarm.secretsDir" $) $name }}
- name: IMAGEFARM_AUTH_API_TOKENS__{{ upper $name }}__ROLE
  value: {{ default "ci" $token.role | quote }}
{{- if $token.repositories }}
- name: IMAGEFARM_AUTH_API_TOKENS__{{ upper $name }}__REPOSITORIES
  value: {{ join "," $token.repositories | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Every service container: the secrets volume, read-only, files readable by the owner and group only. */}}
{{- define "imagefarm.secretsVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "imagefarm.secretName" . }}
    defaultMode: 0440
{{- end -}}

{{- define "imagefarm.probes" -}}
startupProbe:
  httpGet: {path: /q/health/started, port: http}
  periodSeconds: 5
  failureThreshold: 36
readinessProbe:
  httpGet: {path: /q/health/ready, port: http}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
livenessProbe:
  httpGet: {path: /q/health/live, port: http}
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{- define "imagefarm.restrictedContainer" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end -}}

{{/*
Checks no schema can express: a worker pool may not outgrow its queue's partitions (a worker beyond
them gets no partition and idles while KEDA counts it as capacity).
*/}}
{{- define "imagefarm.validate" -}}
{{- $a := .Values.workers.autoscaling }}
{{- $partitions := int .Values.kafka.topics.partitions }}
{{- if and $a.enabled (gt (int $a.maxReplicas) $partitions) }}
{{- fail (printf "workers.autoscaling.maxReplicas (%d) is larger than kafka.topics.partitions (%d): a worker beyond the partitions of its arch's queue gets none and idles. Lower maxReplicas or raise the partitions." (int $a.maxReplicas) $partitions) }}
{{- end }}
{{- if and (not $a.enabled) (gt (int .Values.workers.replicas) $partitions) }}
{{- fail (printf "workers.replicas (%d) is larger than kafka.topics.partitions (%d): a worker beyond the partitions of its arch's queue gets none and idles." (int .Values.workers.replicas) $partitions) }}
{{- end }}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) }}
{{- fail (printf "workers.autoscaling.minReplicas (%d) is larger than maxReplicas (%d)" (int $a.minReplicas) (int $a.maxReplicas)) }}
{{- end }}
{{- if and .Values.kafka.sasl.mechanism (not .Values.kafka.sasl.existingSecret) (not (and .Values.kafka.sasl.username .Values.kafka.sasl.password)) }}
{{- fail "kafka.sasl.mechanism is set: give kafka.sasl.existingSecret (keys username, password), or kafka.sasl.username and kafka.sasl.password" }}
{{- end }}
{{- if and .Values.signing.enabled (not .Values.signing.existingSecret) (not .Values.signing.privateKeyPem) }}
{{- fail "signing.enabled: give signing.existingSecret or signing.privateKeyPem (a PKCS#8 PEM private key)" }}
{{- end }}
{{- if not .Values.secrets.existingSecret }}
{{- range $name, $token := .Values.apiTokens }}
{{- if not $token.sha256 }}
{{- fail (printf "apiTokens.%s.sha256 is empty: the chart creates the Secret, so give the token's SHA-256 (printf %%s \"$TOKEN\" | sha256sum), or name secrets.existingSecret with the key api-token-%s-sha256" $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- if gt (int .Values.kafka.topics.minInsyncReplicas) (int .Values.kafka.topics.replicationFactor) }}
{{- fail (printf "kafka.topics.minInsyncReplicas (%d) is larger than replicationFactor (%d): no write could ever succeed" (int .Values.kafka.topics.minInsyncReplicas) (int .Values.kafka.topics.replicationFactor)) }}
{{- end }}
{{- end -}}
