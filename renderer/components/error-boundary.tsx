import { Alert, Code } from '@mantine/core';
import { Component, type ReactNode } from 'react';

interface State {
  readonly error: Error | undefined;
}

/** A rendering bug shows what broke instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render(): ReactNode {
    if (this.state.error) {
      return (
        <Alert color="red" title="The control panel hit a bug" m="lg">
          <Code block>{this.state.error.message}</Code>
        </Alert>
      );
    }
    return this.props.children;
  }
}
