package report

import (
	"fmt"
	"io"

	"github.com/waiter-go/waiter/sim"
)

// A cluster of routers (a scenario with routers: N) gets a table of its
// routers and per-router charts; a run of one router has neither, so its
// pages are what they always were.

var routerColumns = []string{"router", "leads at end", "requests", "completed", "rejected", "p99", "peak queued",
	"stolen", "lent", "crashes"}

func routerRow(r sim.RouterTotals) []string {
	lead := ""
	if r.Leader {
		lead = "yes"
	}
	return []string{r.ID, lead, fmtInt(r.Requests), fmtInt(r.Completed), fmtInt(r.Rejected), fmtMS(r.LatencyMS.P99),
		fmtNum(r.PeakQueued), fmtInt(r.Stolen), fmtInt(r.Lent), fmtInt(r.Crashes)}
}

// routersTable is the routers' table, nil for one router.
func routersTable(rep *sim.Report) *table {
	if len(rep.Routers) == 0 {
		return nil
	}
	t := &table{Header: routerColumns}
	for _, r := range rep.Routers {
		t.Rows = append(t.Rows, routerRow(r))
	}
	return t
}

// clusterNote sums up the cluster's coordination in a sentence.
func clusterNote(rep *sim.Report) string {
	c := rep.Cluster
	return fmt.Sprintf("%d routers. Leader changes: %d; kills vetoed by a peer: %d; kill choices delegated to a peer: %d. "+
		"Stolen: requests a router served on slots a peer lent it (work stealing); lent: slots it offered.",
		c.Routers, c.LeaderChanges, c.EjectVetoes, c.KillDelegations)
}

// writeRoutersMD writes the routers' section of the Markdown report.
func writeRoutersMD(w io.Writer, rep *sim.Report) {
	t := routersTable(rep)
	if t == nil {
		return
	}
	fmt.Fprintln(w, "## Routers")
	fmt.Fprintln(w)
	fmt.Fprintln(w, clusterNote(rep))
	fmt.Fprintln(w)
	mdTable(w, t.Header, t.Rows)
	var rows []sparkRow
	for _, r := range rep.Routers {
		rows = append(rows, sparkRow{r.ID + " queued", r.Series.Queued, ""},
			sparkRow{r.ID + " slots", r.Series.Slots, ""},
			sparkRow{r.ID + " stolen/s", perSecond(r.Series.Stolen, rep.Series.IntervalS), ""})
	}
	writeSparkBlock(w, rep.DurationS, rows)
	fmt.Fprintln(w)
}

// routerPlots are the per-router charts: queue, slots held and work
// stolen, one line per router.
func routerPlots(rep *sim.Report, x xAxis, windows []band) []plot {
	if len(rep.Routers) == 0 {
		return nil
	}
	n := len(x.Values)
	var queued, slots, stolen []series
	for i, r := range rep.Routers {
		c := palette[i%len(palette)]
		queued = append(queued, line(r.ID, fitTo(r.Series.Queued, n), c, nil))
		slots = append(slots, line(r.ID, fitTo(r.Series.Slots, n), c, nil))
		stolen = append(stolen, line(r.ID, fitTo(perSecond(r.Series.Stolen, rep.Series.IntervalS), n), c, nil))
	}
	return []plot{
		{ID: "router-queued", Title: "Queued requests by router", X: x, Y: yAxis{Label: "requests", Unit: "requests"},
			Series: queued, Bands: windows,
			Caption: "The most requests queued on each router in each interval: a router queues when its own slots (and those peers lend it) are busy."},
		{ID: "router-slots", Title: "Slots by router", X: x, Y: yAxis{Label: "slots", Unit: "slots"},
			Series: slots, Bands: windows,
			Caption: "The instance slots each router holds at the end of each interval: its share of the HRW distribution plus slots peers lent it, minus slots it lent."},
		{ID: "router-stolen", Title: "Work stolen by router", X: x, Y: yAxis{Label: "requests per second", Unit: "req/s"},
			Series: stolen, Bands: windows,
			Caption: "Requests each router served per second on slots its peers lent it (work stealing)."},
	}
}
