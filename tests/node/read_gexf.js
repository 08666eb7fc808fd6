// Reads a GEXF file with graphology-gexf (the parser Gephi Lite uses) and prints, as JSON, the
// counts, the attributes of every node and the ends of every edge, for tests/test_analysis.py.
const fs = require("fs");
const Graph = require("graphology");
const gexf = require("graphology-gexf");

const graph = gexf.parse(Graph.MultiGraph, fs.readFileSync(process.argv[2], "utf-8"));
const sample = {};
graph.forEachNode((key, attrs) => { sample[key] = attrs; });
const edges = [];
graph.forEachEdge((key, attrs, source, target) => { edges.push([source, target]); });
process.stdout.write(JSON.stringify({ order: graph.order, size: graph.size, sample, edges }));
