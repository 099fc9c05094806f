console.log('bench harness');
