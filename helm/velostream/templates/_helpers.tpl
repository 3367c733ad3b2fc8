{{/* Names, labels and derived values of the velostream chart. */}}

{{- define "velostream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "velostream.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "velostream.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "velostream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "velostream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "velostream.labels" -}}
helm.sh/chart: {{ include "velostream.chart" . }}
{{ include "velostream.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "velostream.headlessName" -}}
{{- printf "%s-headless" (include "velostream.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "velostream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The consumer group every pod's Kafka sources share (ARCHITECTURE §6). */}}
{{- define "velostream.kafkaGroupId" -}}
{{- default (include "velostream.fullname" .) .Values.kafka.groupId }}
{{- end }}

{{- define "velostream.authSecretName" -}}
{{- default (printf "%s-auth" (include "velostream.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "velostream.scheme" -}}
{{- if .Values.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/*
--cores: .Values.cores, else the CPU limit rounded up, else the CPU request rounded up, else 1.
CPU quantities are whole or fractional cores ("2", 1.5) or millicores ("1500m").
*/}}
{{- define "velostream.cores" -}}
{{- if .Values.cores }}
{{- .Values.cores | int }}
{{- else }}
{{- $res := .Values.resources | default dict }}
{{- $cpu := dig "limits" "cpu" "" $res | toString }}
{{- if not $cpu }}{{ $cpu = dig "requests" "cpu" "" $res | toString }}{{ end }}
{{- if not $cpu }}
{{- 1 }}
{{- else if hasSuffix "m" $cpu }}
{{- max 1 (divf (trimSuffix "m" $cpu | float64) 1000 | ceil | int) }}
{{- else }}
{{- max 1 ($cpu | float64 | ceil | int) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Fails the render on combinations that cannot work. */}}
{{- define "velostream.validate" -}}
{{- if and .Values.auth.enabled (not .Values.auth.existingSecret) (not .Values.auth.token) }}
{{- fail "auth.enabled needs auth.token or auth.existingSecret (a Secret whose key auth.secretKey holds the token)" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tls.enabled needs tls.secretName: a kubernetes.io/tls Secret with tls.crt and tls.key" }}
{{- end }}
{{- $names := dict }}
{{- range .Values.jobs.definitions }}
{{- if hasKey $names .name }}
{{- fail (printf "jobs.definitions: two jobs are named '%s'; job names must be unique" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- end }}
{{- end }}
