{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "groundtruth-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. With the release named like the chart (the documented way) this is
just "groundtruth-operator", so the defaults ConfigMap gets the operator's default name
"groundtruth-operator-defaults".
*/}}
{{- define "groundtruth-operator.fullname" -}}
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

{{- define "groundtruth-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "groundtruth-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "groundtruth-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "groundtruth-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "groundtruth-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "groundtruth-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "groundtruth-operator.defaultsConfigMap" -}}
{{- printf "%s-defaults" (include "groundtruth-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "groundtruth-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
