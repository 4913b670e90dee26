{{/* Names: the release's fullname, "contrastive-operator" for a release of that name. */}}
{{- define "contrastive-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "contrastive-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The labels deploy/ puts on every object, and Helm's own. */}}
{{- define "contrastive-operator.labels" -}}
{{ include "contrastive-operator.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "contrastive-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "contrastive-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
