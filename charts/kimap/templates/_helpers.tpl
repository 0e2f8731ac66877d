{{/* Names, labels and the pieces every kimap pod shares. */}}

{{- define "kimap.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kimap.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<suffix>", within a DNS label's 63 characters. Call with (list $ "edge"). */}}
{{- define "kimap.componentName" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- $full := include "kimap.fullname" $root | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s-%s" $full $suffix -}}
{{- end -}}

{{- define "kimap.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kimap.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kimap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kimap.labels" -}}
helm.sh/chart: {{ include "kimap.chart" . }}
{{ include "kimap.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kimap
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component's resources. Call with (list $ "edge"). */}}
{{- define "kimap.componentLabels" -}}
{{ include "kimap.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "kimap.componentSelectorLabels" -}}
{{ include "kimap.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "kimap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kimap.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false: the name of a ServiceAccount that exists" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kimap.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "kimap.databaseSecret" -}}
{{- required "postgresql.existingSecret is required: the name of a Secret whose key postgresql.urlKey holds the PostgreSQL URL (kubectl create secret generic NAME --from-literal=uri=postgres://...)" .Values.postgresql.existingSecret -}}
{{- end -}}

{{- define "kimap.adminSecret" -}}
{{- required "admin.existingSecret is required when admin.enabled is true: the name of a Secret whose key admin.tokenKey holds the AdminService's bearer token" .Values.admin.existingSecret -}}
{{- end -}}

{{/* The Secret the edge reads its certificate from, or nothing. */}}
{{- define "kimap.tlsSecret" -}}
{{- if .Values.tls.certManager.enabled -}}
{{- default (include "kimap.componentName" (list . "tls")) .Values.tls.certManager.secretName -}}
{{- else if .Values.tls.existingSecret -}}
{{- .Values.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "kimap.kafkaBrokers" -}}
{{- if not .Values.kafka.brokers -}}
{{- fail "kafka.brokers is required: the host:port of at least one Kafka broker" -}}
{{- end -}}
{{- join "," .Values.kafka.brokers -}}
{{- end -}}

{{- define "kimap.mailboxAddress" -}}
{{- printf "%s:%d" (include "kimap.componentName" (list . "mailbox")) (int .Values.mailbox.service.port) -}}
{{- end -}}

{{/*
The env list of a container: the entries given as EnvVar objects first, then every
NAME: value of the maps (later maps win), without the names the EnvVar objects set.
Call with (dict "fixed" (list EnvVar...) "maps" (list map...)).
Numbers are written as integers: YAML gives them as floats, which would print as 5.24288e+07.
*/}}
{{- define "kimap.env" -}}
{{- $taken := dict -}}
{{- range .fixed }}
{{- $_ := set $taken .name true }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- $merged := dict -}}
{{- range .maps }}
{{- $merged = mergeOverwrite $merged (deepCopy (default dict .)) -}}
{{- end }}
{{- range $name, $value := $merged }}
{{- if not (hasKey $taken $name) }}
- name: {{ $name }}
  value: {{ if kindIs "float64" $value }}{{ int64 $value | toString | quote }}{{ else }}{{ toString $value | quote }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The DATABASE_URL entry of the mailbox and the migration Job. */}}
{{- define "kimap.databaseUrlEnv" -}}
name: DATABASE_URL
valueFrom:
  secretKeyRef:
    name: {{ include "kimap.databaseSecret" . }}
    key: {{ .Values.postgresql.urlKey }}
{{- end -}}

{{/* Probes on the ops port. */}}
{{- define "kimap.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: ops
  {{- toYaml .Values.probes.startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: ops
  {{- toYaml .Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: ops
  {{- toYaml .Values.probes.readiness | nindent 2 }}
{{- end -}}

{{/*
What every kimap pod spec holds besides its containers' own parts. Call with (list $ "edge" $component).
*/}}
{{- define "kimap.podCommon" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $c := index . 2 -}}
serviceAccountName: {{ include "kimap.serviceAccountName" $root }}
automountServiceAccountToken: false
{{- /* No *_SERVICE_HOST / *_PORT variables of the namespace's Services: a Service named "imap" would bring IMAP_PORT. */}}
enableServiceLinks: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
{{- with $c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range $c.topologySpreadConstraints }}
  {{- $constraint := deepCopy . }}
  {{- if not (hasKey $constraint "labelSelector") }}
  {{- $_ := set $constraint "labelSelector" (dict "matchLabels" (include "kimap.componentSelectorLabels" (list $root $name) | fromYaml)) }}
  {{- end }}
  - {{ toYaml $constraint | nindent 4 | trim }}
  {{- end }}
{{- else if $root.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range $root.Values.topologySpread.topologyKeys }}
  - maxSkew: {{ $root.Values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
    matchLabelKeys:
      - pod-template-hash
    labelSelector:
      matchLabels:
        {{- include "kimap.componentSelectorLabels" (list $root $name) | nindent 8 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* The pod template's metadata of a component. Call with (list $ "edge" $component). */}}
{{- define "kimap.podMetadata" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $c := index . 2 -}}
labels:
  {{- include "kimap.componentLabels" (list $root $name) | nindent 2 }}
  {{- with $c.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  kubectl.kubernetes.io/default-container: {{ $name }}
  {{- with $c.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{- define "kimap.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end -}}

{{- define "kimap.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* A NetworkPolicy "to" list from cidrs and peers; empty when both are. Call with .Values.networkPolicy.kafka. */}}
{{- define "kimap.egressPeers" -}}
{{- range .cidrs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- range .peers }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/* An egress rule to cidrs/peers on TCP ports. Call with .Values.networkPolicy.kafka. */}}
{{- define "kimap.egressRule" -}}
{{- $to := include "kimap.egressPeers" . -}}
- ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- if $to }}
  to:
    {{- $to | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Egress every component has: DNS and the extra rules. */}}
{{- define "kimap.commonEgress" -}}
{{- if .Values.networkPolicy.dns.enabled }}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
  {{- with .Values.networkPolicy.dns.peers }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- range .Values.networkPolicy.extraEgress }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/* An ingress rule on named ports from peers (empty: from anywhere). Call with (dict "ports" (list 1143 1993) "from" $peers). */}}
{{- define "kimap.ingressRule" -}}
- ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .from }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
