// Command kube-apiserver is upstream's cmd/kube-apiserver main, built against the
// published k8s.io/kubernetes module so no Kubernetes checkout is needed.
package main

import (
	"os"
	_ "time/tzdata" // upstream embeds zone data for CronJob time zones

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
