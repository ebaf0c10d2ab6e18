import dagre from '@dagrejs/dagre';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';

export interface GraphNode {
  id: string;
  kind: string;
  name: string;
  provider: string;
  depth: number;
  stage?: string | null;
  label?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  relation: string;
}

type AssetNodeData = GraphNode & { root: boolean; highlighted: boolean; selected: boolean; [key: string]: unknown };

const NODE_WIDTH = 210;
const NODE_HEIGHT = 64;

function AssetNode({ data }: NodeProps<Node<AssetNodeData>>) {
  return (
    <div
      className={`asset-node kind-${data.kind}${data.root ? ' root' : ''}${data.highlighted ? ' highlighted' : ''}${data.selected ? ' selected' : ''}`}
      data-node-id={data.id}
      title={data.id}
    >
      <Handle type="target" position={Position.Left} />
      <div className="asset-kind">
        {data.kind}
        {data.stage ? <span className={`stage stage-${data.stage.toLowerCase()}`}>{data.stage}</span> : null}
      </div>
      <div className="asset-name">{data.label ?? data.name}</div>
      <div className="asset-provider">{data.provider}</div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { asset: AssetNode };

/** Layered layout (dagre, left to right: upstream sources on the left, consumers on the right). */
function layout(nodes: GraphNode[], edges: GraphEdge[]) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) if (ids.has(edge.from) && ids.has(edge.to)) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const p = g.node(node.id);
    positions.set(node.id, { x: (p?.x ?? 0) - NODE_WIDTH / 2, y: (p?.y ?? 0) - NODE_HEIGHT / 2 });
  }
  return positions;
}

export function LineageGraph(props: {
  root: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  highlighted?: Set<string>;
  selected?: string | null;
  onSelect?: (id: string) => void;
  label: string;
}) {
  const { nodes, edges, highlighted, selected, root } = props;
  const flow = useMemo(() => {
    const positions = layout(nodes, edges);
    const ids = new Set(nodes.map((n) => n.id));
    const flowNodes: Node<AssetNodeData>[] = nodes.map((node) => ({
      id: node.id,
      type: 'asset',
      position: positions.get(node.id)!,
      data: {
        ...node,
        root: node.id === root,
        highlighted: highlighted?.has(node.id) ?? false,
        selected: node.id === selected,
      },
      ariaLabel: `${node.kind} ${node.label ?? node.name} on ${node.provider}`,
      draggable: false,
      connectable: false,
    }));
    const flowEdges: Edge[] = edges
      .filter((e) => ids.has(e.from) && ids.has(e.to))
      .map((e) => ({
        id: `${e.from}->${e.to}:${e.relation}`,
        source: e.from,
        target: e.to,
        label: e.relation,
        animated: (highlighted?.has(e.to) ?? false) && (highlighted?.has(e.from) ?? false),
        className: highlighted?.has(e.to) ? 'edge-hot' : undefined,
      }));
    return { flowNodes, flowEdges };
  }, [nodes, edges, highlighted, selected, root]);

  return (
    <div className="graph" role="figure" aria-label={props.label}>
      <ReactFlow
        // A new set of nodes (another root, depth, direction or time) mounts a new view fitted to it.
        key={nodes.map((n) => n.id).join('|')}
        nodes={flow.flowNodes}
        edges={flow.flowEdges}
        nodeTypes={nodeTypes}
        onNodeClick={(_event, node) => props.onSelect?.(node.id)}
        // Enter or Space on a focused node (Tab moves between nodes) selects it: open its details too.
        onNodesChange={(changes) => {
          const chosen = changes.find((change) => change.type === 'select' && change.selected);
          if (chosen && 'id' in chosen) props.onSelect?.(chosen.id);
        }}
        fitView
        minZoom={0.2}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

export const KIND_LEGEND = ['featureView', 'feature', 'dataset', 'model', 'modelVersion', 'deployment', 'endpoint'];

export function Legend() {
  return (
    <ul className="legend" aria-label="Node colors by kind">
      {KIND_LEGEND.map((kind) => (
        <li key={kind}>
          <span className={`swatch kind-${kind}`} /> {kind}
        </li>
      ))}
    </ul>
  );
}
