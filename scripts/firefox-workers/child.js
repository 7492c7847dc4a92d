self.onmessage = () => postMessage('hi');
