// Reads a GEXF file with graphology-gexf (the parser Gephi Lite uses) and prints counts and
// the attributes of every node as JSON, for tests/test_analysis.py.
const fs = require("fs");
const Graph = require("graphology");
const gexf = require("graphology-gexf");

const graph = gexf.parse(Graph.MultiGraph, fs.readFileSync(process.argv[2], "utf-8"));
const sample = {};
graph.forEachNode((key, attrs) => { sample[key] = attrs; });
process.stdout.write(JSON.stringify({ order: graph.order, size: graph.size, sample }));
