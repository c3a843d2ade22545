// The functions of one syntax tree and their lengths in lines. Every form counts:
// declarations, function expressions, arrow functions (named by the const, property or call
// they belong to), object and class methods, accessors and constructors. A function's lines
// run from its first token (after any doc comment) to its last, so a parameter list over
// several lines counts, and a nested function is counted both alone and inside its owner.
import type { Node, SourceFile } from 'typescript/unstable/ast';
import { SyntaxKind } from 'typescript/unstable/ast';
import {
  isArrowFunction,
  isBinaryExpression,
  isCallExpression,
  isClassLikeDeclaration,
  isConstructorDeclaration,
  isFunctionDeclaration,
  isFunctionExpression,
  isGetAccessorDeclaration,
  isIdentifier,
  isMethodDeclaration,
  isPropertyAccessExpression,
  isPropertyAssignment,
  isPropertyDeclaration,
  isSetAccessorDeclaration,
  isVariableDeclaration,
} from 'typescript/unstable/ast/is';

export interface MeasuredFunction {
  name: string;
  /** 1-based line of the function's first token. */
  line: number;
  lines: number;
}

type FunctionLike = Node & { readonly name?: Node; readonly body?: Node };

function isFunctionLike(node: Node): node is FunctionLike {
  return (
    isFunctionDeclaration(node) ||
    isFunctionExpression(node) ||
    isArrowFunction(node) ||
    isMethodDeclaration(node) ||
    isConstructorDeclaration(node) ||
    isGetAccessorDeclaration(node) ||
    isSetAccessorDeclaration(node)
  );
}

/** The name as written (identifier, string or number literal, or the computed expression). */
function nameText(name: Node, sourceFile: SourceFile): string {
  return isIdentifier(name) ? name.text : name.getText(sourceFile);
}

/** `Class.member` for class members, the bare name elsewhere. */
function memberName(node: Node, member: string, sourceFile: SourceFile): string {
  const owner = node.parent;
  if (!isClassLikeDeclaration(owner)) return member;
  return `${owner.name ? nameText(owner.name, sourceFile) : '(class)'}.${member}`;
}

/** The name of the nearest enclosing named function or variable, for anonymous callbacks. */
function enclosingName(node: Node, sourceFile: SourceFile): string | undefined {
  for (let at = node.parent; at && at.kind !== SyntaxKind.SourceFile; at = at.parent) {
    if (isFunctionLike(at) || isVariableDeclaration(at)) {
      const name = functionName(at, sourceFile);
      if (name) return name;
    }
  }
  return undefined;
}

function functionName(node: Node, sourceFile: SourceFile): string | undefined {
  if (isConstructorDeclaration(node)) return memberName(node, 'constructor', sourceFile);
  if (isVariableDeclaration(node)) return nameText(node.name, sourceFile);
  if (!isFunctionLike(node)) return undefined;
  if (node.name) return memberName(node, nameText(node.name, sourceFile), sourceFile);
  const parent = node.parent;
  if (isVariableDeclaration(parent) || isPropertyAssignment(parent)) return nameText(parent.name, sourceFile);
  if (isPropertyDeclaration(parent)) return memberName(parent, nameText(parent.name, sourceFile), sourceFile);
  if (isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.EqualsToken) {
    return parent.left.getText(sourceFile);
  }
  return undefined;
}

/** A name for every function: its own, or what it is passed to and inside what. */
function describe(node: FunctionLike, sourceFile: SourceFile): string {
  const own = functionName(node, sourceFile);
  if (own) return own;
  const parent = node.parent;
  const owner = enclosingName(node, sourceFile) ?? '(top level)';
  if (isCallExpression(parent)) {
    const callee = isPropertyAccessExpression(parent.expression)
      ? parent.expression.name.text
      : parent.expression.getText(sourceFile);
    return `${callee}(…) callback in ${owner}`;
  }
  return `(anonymous) in ${owner}`;
}

export function measureFunctions(sourceFile: SourceFile): MeasuredFunction[] {
  const found: MeasuredFunction[] = [];
  const lineOf = (position: number) => sourceFile.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: Node): void => {
    // Overload signatures and abstract methods have no body: nothing to measure.
    if (isFunctionLike(node) && node.body) {
      const line = lineOf(node.getStart(sourceFile));
      found.push({ name: describe(node, sourceFile), line, lines: lineOf(node.end) - line + 1 });
    }
    node.forEachChild(visit);
  };
  sourceFile.forEachChild(visit);
  return found;
}
