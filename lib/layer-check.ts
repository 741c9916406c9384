// Find the imports that run up the layers of ./layers.ts. Pure: takes file texts by path
// (relative to the project root), so a test can seed a back-edge without touching a file.
// Type-only imports count: a lower layer must not even know an upper layer's types.
import ts from 'typescript';
import { posix } from 'node:path';
import { LAYERS, layerIndexOf, type Layer } from './layers.ts';

/** Every module specifier a file names: import and export … from, import('…') and import types, type-only or not. */
export function moduleSpecifiers(file: string, text: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return out;
}

/** The project files a file imports: its relative specifiers, resolved (packages are not layers). */
export function importedFiles(file: string, text: string): string[] {
  return moduleSpecifiers(file, text)
    .filter((s) => s.startsWith('./') || s.startsWith('../'))
    .map((s) => posix.normalize(posix.join(posix.dirname(file), s)));
}

export interface BackEdge {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}

export interface LayerReport {
  /** Imports from a layer above the importer's own. */
  backEdges: BackEdge[];
  /** Files no layer holds: they would escape the check. */
  unplaced: string[];
  /** How many (importer, imported) pairs between layered files were looked at. */
  edges: number;
}

export function checkLayers(files: ReadonlyMap<string, string>, layers: readonly Layer[] = LAYERS): LayerReport {
  const report: LayerReport = { backEdges: [], unplaced: [], edges: 0 };
  for (const [from, text] of files) {
    const own = layerIndexOf(from, layers);
    if (own === undefined) {
      report.unplaced.push(from);
      continue;
    }
    for (const to of new Set(importedFiles(from, text))) {
      const theirs = layerIndexOf(to, layers);
      if (theirs === undefined) continue; // outside the layered folders (package.json, reference data)
      report.edges++;
      if (theirs > own) report.backEdges.push({ from, to, fromLayer: layers[own]!.name, toLayer: layers[theirs]!.name });
    }
  }
  return report;
}

export function describeBackEdge(e: BackEdge): string {
  return `${e.from} imports ${e.to}: ${e.fromLayer} may not import ${e.toLayer} (${e.fromLayer} is below ${e.toLayer})`;
}

export function describeUnplaced(file: string): string {
  return `${file} is in no layer: add it, or its folder, to LAYERS in lib/layers.ts`;
}
