document.getElementById('boot').textContent = 'Protium console';
